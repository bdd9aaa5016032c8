"""Auditors' commands: read and check the log, copy it out and back; never change it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import click

from catalogue import Quarter
from eventstore import EventStore
from eventstore.export import ExportReport, export_log, verify_export
from eventstore.importer import import_log
from eventstore.transparency.note import Verifier
from opslog import __version__
from opslog.audit.diff_form import cause_line, diff_as_json
from opslog.audit.log_view import (
    LogEntry,
    LogQuery,
    log_entries,
    select_events,
    stream_history,
    summarise,
    to_entry,
)
from opslog.audit.read_side import check_read_side
from opslog.audit.render import (
    FORMATS,
    HISTORY_COLUMNS,
    LOG_COLUMNS,
    print_table,
    write_json,
    write_jsonl,
)
from opslog.audit.reports import export_check_lines, export_lines, verify_lines
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.files import refuse_existing, written_whole
from opslog.cli.identity import ACTOR_OPTION, operator_actor, refused
from opslog.cli.output import progress_bar, stdout_console
from opslog.cli.params import AWARE_TIME, UTF8_TEXT, date_option, quarter_option
from opslog.cli.reading import note_lag, read_cutoff
from projections.audit.diff import diff_quarter
from projections.audit.lineage import Lineage, catalogue_summary
from projections.fold.decoding import unreadable
from projections.render.json_text import json_text
from projections.render.visible import visible

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
FORMAT_OPTION = click.option(
    "--format", "format_", type=click.Choice(FORMATS), default="table", show_default=True,
    help="table for people; json (one array) or jsonl (one object a line) for programs.",
)


@click.command()
@click.option("--from-position", type=click.IntRange(min=1), default=1, show_default=True,
              help="Start checking here (trusting the stored hash just before).")
@click.option("--against", "against", type=EXISTING_FILE, default=None,
              help="A signed checkpoint kept outside the log: the log must extend it.")
@click.option("--key", "key", default=None,
              help="The log's note verifier key (or a file) for --against "
                   "(default: the public half of $OPSLOG_SIGNING_KEY).")
@click.option("--chain-only", is_flag=True, default=False,
              help="Check the log alone (chain, payload digests, Merkle tree); leave out "
                   "recomputing the read models and snapshots.")
@pass_context
def verify(context: Context, from_position: int, against: Path | None,
           key: str | None, chain_only: bool) -> None:
    """Check the hash chain, the read models and snapshots; exit 0 only when all hold.

    Recomputes every event's hash from its stored fields and prints the events checked,
    the head position and hash, or the first bad position and what is wrong with it. Then
    makes the read models and every snapshot again from the log and names each row or
    snapshot that differs. The whole-log check also recomputes the Merkle tree. With
    --against, the log must also extend a signed checkpoint kept outside it (same root at
    that size): the check that catches a history rewritten and re-chained by whoever holds
    the database (docs/security.md). --chain-only stops after the log's own checks.
    """
    store = context.store()
    head = store.head()
    total = max(head.position - from_position + 1, 0)
    with progress_bar() as progress:
        report = store.verify(
            from_position=from_position, progress=lambda done: progress("verifying", done, total)
        )
    _echo(verify_lines(report, head))
    read_side_ok = True
    if not chain_only:
        read_side = check_read_side(store, __version__)
        _echo(read_side.lines)
        read_side_ok = read_side.ok
    extends = True
    if against is not None:
        extends = _check_against(store, against, key)
    if not report.ok or not read_side_ok or not extends:
        raise SystemExit(1)


def _check_against(store: EventStore, kept_file: Path, key: str | None) -> bool:
    """Whether the live log extends the checkpoint in `kept_file`; says which, and why."""
    from eventstore.checkpoints import check_against
    from eventstore.transparency.errors import TransparencyError
    from opslog.keys import KeyProblem, load_signer, load_verifier

    try:
        log = load_verifier(key) if key is not None else load_signer(None).verifier()
    except KeyProblem as error:
        raise UserError(str(error)) from None
    try:
        kept_note = kept_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"--against {kept_file}: cannot read it: {error}") from None
    try:
        with store.engine.connect() as connection:
            kept = check_against(connection, kept_note, log)
    except TransparencyError as error:
        click.echo(f"checkpoint: not extended: {error}")
        return False
    click.echo(f"checkpoint: ok: the log extends the kept checkpoint of size {kept.size} "
               f"(root {kept.root.hex()})")
    return True


LOG_KEY_OPTION = click.option(
    "--key", "key", default=None,
    help="The log's note verifier key (or a file holding it): every checkpoint in the "
         "file must be signed by it. Without it only the checkpoints' roots are checked.")


def _log_key(key: str | None) -> Verifier | None:
    from opslog.keys import KeyProblem, load_verifier

    if key is None:
        return None
    try:
        return load_verifier(key)
    except KeyProblem as error:
        raise UserError(str(error)) from None


def checkpoint_lines(report: ExportReport, key: Verifier | None) -> list[str]:
    """What was checked of the file's signed checkpoints, and what was not (nothing to
    say of a file that carries none)."""
    if not report.checkpoints:
        return []
    if report.signatures_checked and key is not None:
        return [f"checkpoints: {report.checkpoints}, roots match the events and signatures "
                f"verify with the log key {key.name}"]
    return [f"checkpoints: {report.checkpoints}, roots match the events; signatures NOT "
            "checked (give the log's public key with --key)"]


@click.command("verify-export")
@click.argument("file", type=EXISTING_FILE)
@LOG_KEY_OPTION
def verify_export_command(file: Path, key: str | None) -> None:
    """Check an export file with no database.

    Verifies the header, every line and the hash chain of FILE, and names the first bad
    line and position; exit 0 only when it is intact. Each signed checkpoint's root is
    checked against the events before it, and with --key its signature too.
    """
    log_key = _log_key(key)
    with file.open("rb") as source, progress_bar() as progress:
        report = verify_export(source, progress, log_key)
    _echo(export_check_lines(report))
    if not report.ok:
        raise SystemExit(1)
    _echo(checkpoint_lines(report, log_key))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--until-position", type=click.IntRange(min=1),
              help="Export positions 1 to N only (default: the whole log).")
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@pass_context
def export(context: Context, file: Path, until_position: int | None, force: bool) -> None:
    """Copy the log to an export file.

    Writes FILE as JSON Lines: a header, then every event with its hashes. The file
    appears only once complete and on disk (written to FILE.partial, synced, renamed);
    check it anywhere with `opslog verify-export`.
    """
    refuse_existing(file, force)
    store = context.store()
    with written_whole(file, force=force) as target, progress_bar() as progress:
        header = export_log(store, target, until_position, progress)
    _echo(export_lines(header, str(file)))


@click.command("import")
@click.argument("file", type=EXISTING_FILE)
@click.option("--reenvelope", "mapping", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="MAPPING",
              help="Re-seal every event as envelope 2 (erasable values; new hashes) and "
                   "write each position's old and new hash to MAPPING (JSON Lines).")
@LOG_KEY_OPTION
@ACTOR_OPTION
@pass_context
def import_command(context: Context, file: Path, mapping: Path | None, key: str | None,
                   actor: str | None) -> None:
    """Load an export file into an empty database.

    Run `opslog init` on the new database first. The whole of FILE is verified before
    anything is written; if anything is wrong nothing is, and an event this version cannot
    read is wrong. Positions, times and hashes are kept, so the new database has the same
    head hash. Where the log in FILE has an admin, --actor must be one of them: a log is
    moved by its own admin. A log with no admin yet is the operator's to move.

    With --reenvelope, a log of envelope 1 events (recorded before salted digests, whose
    values cannot be erased) is moved to envelope 2: the same events, positions and times,
    sealed afresh, so every hash changes; MAPPING ties each old hash to its new one.

    With --key, every signed checkpoint in FILE must verify with the log's public key or
    nothing is imported; without it only their roots are checked, and the output says so.
    """
    log_key = _log_key(key)
    _admin_of_export(file, actor)
    store = context.store()
    if mapping is not None:
        _reenvelope(store, file, mapping)
        return
    with file.open("rb") as source, progress_bar() as progress:
        imported = import_log(store, source, progress, check=unreadable, log_key=log_key)
    click.echo(f"imported {imported.checked} events from {file}")
    _echo(checkpoint_lines(imported, log_key))
    head = store.head()
    with progress_bar() as progress:
        report = store.verify(progress=lambda done: progress("verifying", done, head.position))
    _echo(verify_lines(report, head))
    if not report.ok:
        raise SystemExit(1)


def _reenvelope(store: EventStore, file: Path, mapping: Path) -> None:
    from eventstore.errors import ImportRefused
    from eventstore.reenvelope import reenvelope

    if mapping.exists() or mapping.is_symlink():
        raise UserError(f"--reenvelope: {mapping} already exists")
    try:
        with file.open("rb") as source, mapping.open("x", encoding="utf-8") as hashes:
            report = reenvelope(store, source, hashes)
    except ImportRefused as refusal:
        mapping.unlink(missing_ok=True)
        raise UserError(str(refusal)) from None
    head = store.head()
    click.echo(f"re-sealed {report.checked} events from {file} as envelope 2; old and new "
               f"hashes in {mapping}")
    _echo(verify_lines(store.verify(), head))


def _admin_of_export(file: Path, actor: str | None) -> None:
    """Refuse unless `actor` is admin at the end of the log in `file`, if it has one. A
    damaged file is left for the import itself to name."""
    from commands.errors import Refused
    from commands.identity.roles import roles_in
    from commands.permissions import require
    from eventstore.export import ExportProblem, ExportReader

    with file.open("rb") as source:
        try:
            state = roles_in(ExportReader(source).events())
        except ExportProblem:
            return
    if not state.has_admin():
        return
    try:
        require(state, operator_actor(actor), "import")
    except Refused as refusal:
        raise refused(refusal) from None


@click.command()
@click.option("--stream", type=UTF8_TEXT,
              help="Only this stream (e.g. milestone-2018-19-q1-vctf).")
@click.option("--category", type=UTF8_TEXT,
              help="Only streams of this category (e.g. milestone).")
@click.option("--type", "type_", type=UTF8_TEXT, help="Only events of this type.")
@click.option("--unit", type=UTF8_TEXT,
              help="Only events recorded for this unit (metadata unit).")
@click.option("--actor", type=UTF8_TEXT,
              help="Only events recorded by this actor (metadata actor).")
@click.option("--since", type=AWARE_TIME, help="Recorded at or after this ISO 8601 time.")
@click.option("--until", type=AWARE_TIME, help="Recorded at or before this ISO 8601 time.")
@click.option("--as-reported", callback=date_option, default=None, metavar="DATE",
              help="Only events their sources (returns, publications) had reported on or "
                   "before DATE (YYYY-MM-DD); adds a reported column.")
@click.option("--from-position", type=click.IntRange(min=1), default=1, show_default=True,
              help="Start at this position.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Show at most N events.")
@click.option("--reverse", is_flag=True, help="Newest first (with --limit: the last N).")
@FORMAT_OPTION
@pass_context
def log(context: Context, stream: str | None, category: str | None, type_: str | None,
        unit: str | None, actor: str | None, since: datetime | None,
        until: datetime | None, as_reported: date | None, from_position: int,
        limit: int | None, reverse: bool, format_: str) -> None:
    """Show the log: who recorded what, when.

    Oldest first: each event's position, recorded and effective times, stream and
    version, type, actor, unit and a one-line summary. Times are recorded times.
    """
    if since is not None and until is not None and until < since:
        raise click.BadParameter("is before --since", param_hint="'--until'")
    query = LogQuery(stream=stream, category=category, type=type_, unit=unit, actor=actor,
                     since=since, until=until, from_position=from_position, limit=limit,
                     reverse=reverse, reported=as_reported)
    note_lag(context)
    store = context.read_store()
    entries: Iterable[LogEntry]
    if limit is None:
        lineage = Lineage.of(store)
        entries = log_entries(store, query, SUMMARISE, lineage.note)
    else:  # a page: the lineage of its own streams, not of the whole log
        page = list(select_events(store, query))
        lineage = Lineage.of_streams(store, (event.stream_id for event in page))
        entries = (to_entry(event, SUMMARISE, lineage.note) for event in page)
    columns = _with_notes(LOG_COLUMNS, lineage)
    if as_reported is not None:
        columns = (*columns[:3], "reported", *columns[3:])
    shown = _show(entries, format_, columns)
    if shown == 0 and format_ == "table":
        click.echo("no events match", err=True)


@click.command()
@click.argument("stream", type=UTF8_TEXT)
@FORMAT_OPTION
@pass_context
def history(context: Context, stream: str, format_: str) -> None:
    """Show one stream's life, version by version.

    Each event of STREAM: version, recorded and effective times, type, actor, summary.
    """
    note_lag(context)
    store = context.read_store()
    lineage = Lineage.of_streams(store, [stream])
    entries = stream_history(store, stream, SUMMARISE, lineage.note)
    if not entries:
        raise UserError(f"stream {stream!r} has no events")
    _show(entries, format_, _with_notes(HISTORY_COLUMNS, lineage))


SUMMARISE = catalogue_summary(summarise)


def _with_notes(columns: Sequence[str], lineage: Lineage) -> Sequence[str]:
    """A ``note`` column only when the log holds corrections to cross-reference."""
    return (*columns, "note") if lineage.shows_notes else columns


def _show(entries: Iterable[LogEntry], format_: str, columns: Sequence[str]) -> int:
    if format_ == "json":
        return write_json(entries, _write)
    if format_ == "jsonl":
        return write_jsonl(entries, _write)
    return print_table(entries, stdout_console(), columns)


def _write(text: str) -> None:
    click.echo(text, nl=False)


def _side(position: int, reported: date | None) -> str:
    """One side of a diff: its position, and the declared date it was cut on."""
    if reported is None:
        return f"position {position}"
    return f"position {position} as reported by {reported.isoformat()}"


def _echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


@click.command()
@click.option("--quarter", required=True, callback=quarter_option, metavar="QUARTER",
              help="The quarter whose board and report to compare, like 2018-19-Q1.")
@click.option("--from", "from_", type=AWARE_TIME, default=None, metavar="TIME",
              help="The earlier knowledge cut-off (ISO 8601 with a zone).")
@click.option("--to", type=AWARE_TIME, default=None, metavar="TIME",
              help="The later knowledge cut-off (default: now).")
@click.option("--from-reported", callback=date_option, default=None, metavar="DATE",
              help="Instead of --from: the log as its sources had reported it by DATE.")
@click.option("--to-reported", callback=date_option, default=None, metavar="DATE",
              help="With --to (or now): only what its sources had reported by DATE.")
@click.option("--as-reported", callback=date_option, default=None, metavar="DATE",
              help="Both sides: only what its sources had reported by DATE.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_context
def diff(context: Context, quarter: Quarter, from_: datetime | None, to: datetime | None,
         from_reported: date | None, to_reported: date | None, as_reported: date | None,
         format_: str) -> None:
    """What changed in a quarter's board and report between two moments, and why.

    Lists each changed status, figure, update and text, with only the events recorded in
    between that made that change: each with its old → new value and its reason. The
    moments are recorded times (--from, --to) or declared dates (--from-reported,
    --to-reported: what the sources had reported by then, for history recorded late).
    """
    if from_ is None and from_reported is None:
        raise click.BadParameter("give --from TIME or --from-reported DATE",
                                 param_hint="'--from'")
    if to is not None and from_ is not None and to < from_:
        raise click.BadParameter("is before --from", param_hint="'--to'")
    if as_reported is not None and (from_reported or to_reported):
        raise click.BadParameter("give it, or --from-reported and --to-reported, not both",
                                 param_hint="'--as-reported'")
    from_reported = from_reported or as_reported
    to_reported = to_reported or as_reported
    if from_reported and to_reported and to_reported < from_reported:
        raise click.BadParameter("is before --from-reported", param_hint="'--to-reported'")
    before = read_cutoff(context, as_of=from_, reported=from_reported)
    after = read_cutoff(context, as_of=to, reported=to_reported)
    result = diff_quarter(context.read_store(), quarter, before, after)
    if format_ == "json":
        click.echo(json_text(diff_as_json(result), indent=2))
        return
    sides = (f"{_side(result.from_position, before.reported)} → "
             f"{_side(result.to_position, after.reported)}")
    if before.reported is None and after.reported is None:
        sides = f"positions {result.from_position} → {result.to_position}"
    click.echo(f"{result.quarter}: {sides}, {len(result.changes)} change(s)")
    for traced in result.changes:
        click.echo(visible(f"- {traced.change}"))
        for cause in traced.causes:
            click.echo(visible(cause_line(cause)))
