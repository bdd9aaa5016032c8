"""Units' commands: record what happened (`submit`), and learn how to say it (`commands`)."""

from __future__ import annotations

import itertools
import json

import click
import sqlalchemy.exc as sa_exc

from commands.describe import CommandInfo, FieldInfo, describe_commands
from commands.envelope import check_actor
from commands.errors import Refused
from commands.files import read_commands
from commands.identity import direct
from commands.outcome import Outcome, Status
from commands.service import CommandService
from eventstore import EventStoreError, StoreUnavailable
from eventstore.translate import translate
from opslog.cli.base import Context, UserError, pass_context, unavailable
from opslog.config import ACTOR_ENV
from projections.render.visible import visible

FILE_FORMAT = """\
A command file holds one JSON object per line (JSON Lines), or a single JSON object:

  {"command": "ReportMilestoneProgress", "id": "2018-19-q1/vctf-progress",
   "actor": "recorder.vctf", "data": {"milestone_id": "vctf", "quarter": "2018-19-Q1",
   "status": "delivered", "narrative": "…", "as_of": "2018-06-30"}}

command  the command's name (below); required
id       your unique id for this command (letters, digits . _ : / @ + # = -); required.
         Submitting the same id again records nothing and answers with the first result;
         the same id with a different body is refused.
actor    who acts; may be left out when given by --actor or $OPSLOG_ACTOR, and must
         then be the same actor (a command never acts as someone else)
data     the command's fields
correlation_id  optional: ties commands of one return together (default: the id)
reported_on     optional: the date its source (a return, a publication) reported it,
         for history recorded late (YYYY-MM-DD, not after today); readers cut on it
         with --as-reported DATE

Money and exact figures are integers or decimal strings ("250000000"), never floats;
dates are YYYY-MM-DD; quarters are financial-year quarters (2018-19-Q1 = April-June 2018).
"""


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Check every command; write nothing.")
@click.option("--actor", envvar=ACTOR_ENV, metavar="ACTOR", default=None,
              help=f"Whom you act as (${ACTOR_ENV}): every command acts as this actor, and "
                   "one naming another is refused.")
@pass_context
def submit(context: Context, file: str, dry_run: bool, actor: str | None) -> None:
    """Record the commands in FILE (- for stdin): one JSON command or JSON Lines of them.

    Prints one line per command as it goes: accepted with its positions, already
    recorded, or refused with the field and the reason (nothing is written for a refused
    command). The file is read a line at a time, however long it is. Exits 1 if any
    command was refused. See `opslog commands` for the format.

    This is the operator's channel: each event records it with your OS user and host.
    With --actor every command acts as that actor; without it, each as its own "actor".
    """
    if actor is not None:
        try:
            check_actor(actor)
        except Refused as refusal:
            raise UserError(f"--actor: {refusal.reason}") from None
    try:
        stream = click.open_file(file, "rb")
    except OSError as error:
        raise UserError(f"{file}: {error.strerror}") from None
    with stream:
        items = read_commands(stream)
        first = next(items, None)
        if first is None:
            raise UserError(f"{file}: holds no commands")
        service = CommandService(context.store(), dry_run=dry_run, channel=direct())
        counts = dict.fromkeys(Status, 0)
        for line, item in itertools.chain([first], items):
            try:
                outcome = Outcome.refused(item) if isinstance(item, Refused) else (
                    service.submit(item, actor))
            except (EventStoreError, sa_exc.DBAPIError) as error:
                raise UserError(f"stopped at line {line}: {_fault(error)} (the lines before "
                                "it are as reported above)") from error
            counts[outcome.status] += 1
            click.echo(visible(f"line {line}: {outcome.describe()}"))
    click.echo(_summary(counts, dry_run), err=True)
    if counts[Status.REFUSED]:
        raise SystemExit(1)


def _fault(error: EventStoreError | sa_exc.DBAPIError) -> str:
    problem = translate(error) if isinstance(error, sa_exc.DBAPIError) else error
    return unavailable(problem) if isinstance(problem, StoreUnavailable) else str(problem)


def _summary(counts: dict[Status, int], dry_run: bool) -> str:
    parts = [f"{counts[Status.VALID if dry_run else Status.ACCEPTED]} "
             f"{'valid (dry run: nothing written)' if dry_run else 'accepted'}"]
    if counts[Status.REPLAYED]:
        parts.append(f"{counts[Status.REPLAYED]} already recorded")
    parts.append(f"{counts[Status.REFUSED]} refused")
    return ", ".join(parts)


@click.command(name="commands")
@click.argument("names", nargs=-1, metavar="[COMMAND]...")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
def list_commands(names: tuple[str, ...], as_json: bool) -> None:
    """List every command with its fields, types and which are required.

    Name commands to see only them, with an example line for a command file.
    """
    infos = describe_commands()
    if names:
        known = {info.name.lower(): info for info in infos}
        unknown = [name for name in names if name.lower() not in known]
        if unknown:
            raise UserError(f"unknown command {unknown[0]!r} (run `opslog commands`)")
        infos = [known[name.lower()] for name in names]
    if as_json:
        click.echo(json.dumps([info.as_dict() for info in infos], indent=2, ensure_ascii=False))
        return
    if not names:
        click.echo(FILE_FORMAT)
    group = None
    for info in infos:
        if info.group != group and not names:
            group = info.group
            click.echo(f"== {group} ==\n")
        click.echo(_render(info, example=bool(names)))


def _render(info: CommandInfo, example: bool) -> str:
    lines = [f"{info.name}: {info.summary}", f"  who: {info.who}"]
    lines.extend(_render_fields(info.fields, indent="  "))
    if example:
        lines.append("  example:")
        lines.append("    " + json.dumps(info.example(), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _render_fields(infos: tuple[FieldInfo, ...], indent: str) -> list[str]:
    width = max(len(info.name) for info in infos)
    lines = []
    for info in infos:
        need = "required" if info.required else "optional"
        detail = info.description
        if info.choices:
            detail = f"{' | '.join(info.choices)}" + (f"; {detail}" if detail else "")
        if not info.required and info.default not in (None, "", [], ()):
            detail += f" (default {json.dumps(info.default)})"
        lines.append(f"{indent}{info.name:<{width}}  {info.type}, {need}"
                     + (f": {detail}" if detail else ""))
        if info.fields:
            lines.extend(_render_fields(info.fields, indent + "    "))
    return lines
