"""Operators' commands: set up the database, and fill it with the sample report."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from catalogue import Quarter
from commands.envelope import check_actor
from commands.errors import Refused
from commands.identity import direct, make_first_admin
from commands.identity.roles import roles_now
from commands.outcome import Outcome, Status
from commands.sample import SAMPLE_ADMIN, SAMPLE_FILE, sample_commands
from commands.service import CommandService
from eventstore import EventStore
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.board_table import print_board
from opslog.database import initialise
from projections import query
from projections.render.html import render_html

SAMPLE_QUARTER = Quarter(2018, 1)


@click.command()
@click.option("--admin", metavar="NAME", default=None,
              help="Make NAME the first admin (only on a log with no admin yet).")
@pass_context
def init(context: Context, admin: str | None) -> None:
    """Create the database, or migrate it to the newest schema.

    The first admin is the operator's to name, with --admin: no command makes one, so
    on a log without an admin every command is refused. It is recorded as a RoleGranted
    with the operator's channel (OS user and host).
    """
    if admin is not None:
        try:
            check_actor(admin)
        except Refused as refusal:
            raise UserError(f"--admin: {refusal.reason}") from None
    store = context.store(new_ok=True)
    initialise(store)
    head = store.head()
    click.echo(f"database ready at {context.url} (head position {head.position})")
    if admin is not None:
        _first_admin(store, admin)
    elif not roles_now(store).has_admin():
        click.echo("no admin yet: name the first with `opslog init --admin NAME`", err=True)


def _first_admin(store: EventStore, name: str) -> None:
    try:
        position = make_first_admin(store, name, direct())
    except Refused as refusal:
        raise UserError(f"--admin: {refusal.reason}") from None
    if position is None:
        click.echo(f"{name} is admin already: nothing written")
    else:
        click.echo(f"{name} is the first admin (position {position})")


WHAT = (
    ("ThemeDefined", "themes"),
    ("TopicDefined", "topics"),
    ("UnitRegistered", "units"),
    ("RoleGranted", "role grants"),
    ("IndicatorDefined", "indicators"),
    ("IndicatorValueRecorded", "indicator values"),
    ("QuarterOverviewWritten", "overview"),
    ("MilestoneScheduled", "milestones"),
    ("MilestoneProgressReported", "progress reports"),
    ("OperationalUpdateRecorded", "operational updates"),
    ("TaskforceFormed", "taskforce formed"),
    ("UnitWentLive", "BCUs went live"),
    ("AssetAcquired", "asset acquired"),
    ("RolloutCompleted", "rollout completed"),
)


@click.command()
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("opslog-report-2018-19-Q1.html"), show_default=True,
              help="Where to write the report as one HTML page.")
@click.option("--no-report", is_flag=True, help="Only record the sample.")
@pass_context
def demo(context: Context, html_file: Path, no_report: bool) -> None:
    """Record the 2018-19 Quarter 1 report as sample data, then show the board and report.

    Creates the database if needed, makes opslog.admin its first admin (unless it has
    one), submits the sample commands, prints the milestone
    board, and writes the report rebuilt from the log as one HTML page (`opslog report`
    prints it as Markdown). Running it again records nothing new: every sample command has
    an id, and a command already recorded answers with its first result.
    """
    _record_sample(context)
    if not no_report:
        _show_sample_report(context, html_file)


def _show_sample_report(context: Context, html_file: Path) -> None:
    store = context.store()
    built = query.report(store, SAMPLE_QUARTER, query.resolve_cutoff(store))
    click.echo()
    print_board(built.board)
    try:
        html_file.write_text(render_html(built), encoding="utf-8")
    except OSError as error:
        raise UserError(f"--html: cannot write {html_file}: {error.strerror}") from error
    click.echo(f"\nwrote the report as one HTML page: {html_file}")


def _record_sample(context: Context) -> None:
    store = context.store(new_ok=True)
    initialise(store)
    try:
        make_first_admin(store, SAMPLE_ADMIN, direct())
    except Refused as refusal:
        raise UserError(f"the sample's admin {SAMPLE_ADMIN}: {refusal.reason}") from None
    service = CommandService(store, channel=direct())
    outcomes: list[Outcome] = []
    for line, item in sample_commands():
        outcome = Outcome.refused(item) if isinstance(item, Refused) else service.submit(item)
        if not outcome.accepted:
            raise click.ClickException(f"{SAMPLE_FILE} line {line}: {outcome.describe()}")
        outcomes.append(outcome)
    new = [outcome for outcome in outcomes if outcome.status is Status.ACCEPTED]
    head = store.head().position
    if not new:
        click.echo(f"nothing new: all {len(outcomes)} sample commands were already recorded "
                   f"(log head at position {head}) in {context.url}")
        return
    counts = Counter(kind for outcome in new for kind in outcome.event_types)
    events = sum(counts.values())
    click.echo(f"recorded the 2018-19 Quarter 1 report: {len(new)} commands as {events} events "
               f"(positions {new[0].first_position}-{new[-1].last_position}) in {context.url}")
    listed = [f"{counts[kind]} {label}" for kind, label in WHAT if counts[kind]]
    click.echo("  " + ", ".join(listed))
    if len(new) < len(outcomes):
        click.echo(f"  ({len(outcomes) - len(new)} sample commands were already recorded)")
