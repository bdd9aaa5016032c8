"""Operators' and auditors' snapshot commands: make, list, show, verify, publish.

A snapshot is a quarter's board and narrative as the log said at a cut-off, stored with
what proves it (position, chain head hash, SHA-256 of each rendering). ``verify`` makes it
all again from the log and names any difference; ``publish`` names a snapshot as the
quarter's published update, which ``opslog report`` then compares today's view with.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
from rich.table import Table

from catalogue import PeriodError, Quarter
from commands.errors import Refused
from commands.permissions import require
from eventstore import EventStore
from opslog import __version__
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.identity import ACTOR_OPTION, operator_actor, refused
from opslog.cli.output import stdout_console
from opslog.cli.params import AwareTime, date_option
from projections.audit.compare import compare_reports
from projections.errors import ProjectionError
from projections.quarter.report import Report
from projections.render.json_text import json_text
from projections.render.visible import visible
from projections.snapshots.publishing import NothingToPublish, publish, published_report
from projections.snapshots.registry import (
    SnapshotInfo,
    has_snapshot_tables,
    load_snapshot,
    published_ids,
    snapshot_infos,
)
from projections.snapshots.taking import CutoffNotPassed, Maker, take_snapshot
from projections.snapshots.verify import Verdict, verify_snapshots


class QuarterType(click.ParamType[Quarter]):
    """A quarter like 2018-19-Q1 (also ``2018-19 Q1``, ``2018/19 Q1``)."""

    name = "QUARTER"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> Quarter:
        if isinstance(value, Quarter):
            return value
        try:
            return Quarter.parse(str(value))
        except PeriodError as error:
            self.fail(str(error), param, ctx)


class CutoffTime(AwareTime):
    """An ISO 8601 time with a zone, or ``now``."""

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, str) and value.strip().lower() == "now":
            return datetime.now(UTC)
        return super().convert(value, param, ctx)


QUARTER = QuarterType()


def _allowed(store: EventStore, actor: str | None, act: str) -> str:
    """The operator's actor, if it holds a role that may do `act` (`require`)."""
    who = operator_actor(actor)
    try:
        require(store, who, act)
    except Refused as refusal:
        raise refused(refusal) from None
    return who


def _ready(context: Context) -> EventStore:
    store = context.store()
    with store.engine.connect() as connection:
        if not has_snapshot_tables(connection):
            raise UserError("this database has no snapshot tables: run `opslog init`")
    return store


@click.group()
def snapshot() -> None:
    """Quarterly snapshots: a quarter's board and narrative as the log said at a cut-off."""


@snapshot.command()
@click.option("--quarter", type=QUARTER, required=True, help="Like 2018-19-Q1.")
@click.option("--cutoff", type=CutoffTime(), default=None, metavar="TIME",
              help="What the log said at TIME (ISO 8601 with a zone, or `now`); default: "
                   "the quarter's close (midnight, London, after its last day), or now "
                   "with --as-reported.")
@click.option("--as-reported", callback=date_option, default=None, metavar="DATE",
              help="Cut on the declared date too: only what the sources (returns, "
                   "publications) had reported by DATE, of what was recorded by --cutoff.")
@ACTOR_OPTION
@pass_context
def create(context: Context, quarter: Quarter, cutoff: datetime | None,
           as_reported: date | None, actor: str | None) -> None:
    """Make the quarter's snapshot at a cut-off (nothing is written if it exists already).

    The cut-off time is mapped to the last position recorded at or before it; one snapshot
    exists per quarter, position and declared date, however often it is asked for. With
    --as-reported the snapshot holds the quarter as its sources had reported it by DATE:
    for history recorded late, whose recorded times say nothing of when it was reported.
    """
    store = _ready(context)
    made_by = _allowed(store, actor, "snapshot")
    maker = Maker(made_by, __version__, datetime.now(UTC))
    if cutoff is None and as_reported is not None:
        cutoff = maker.now
    try:
        taken = take_snapshot(store, quarter, cutoff or quarter.closes_at, maker, as_reported)
    except CutoffNotPassed as error:
        if cutoff is None:
            raise UserError(f"--quarter: {quarter} has not closed yet (it closes "
                            f"{quarter.closes_at.isoformat()}); give --cutoff for a snapshot "
                            "before its close") from error
        raise UserError(f"--cutoff: {error}") from error
    except ProjectionError as error:
        raise UserError(str(error)) from error
    info = taken.info
    if taken.created:
        click.echo(f"made snapshot {info.id}: {_describe(info)}")
    else:
        click.echo(f"snapshot {info.id} already holds {_describe(info)} (made "
                   f"{info.created_at:%Y-%m-%d %H:%M} UTC by {info.created_by}): nothing written")


def _describe(info: SnapshotInfo) -> str:
    reported = ("" if info.reported_on is None
                else f", as reported by {info.reported_on.isoformat()}")
    return (f"{info.quarter} at position {info.position} (cut-off "
            f"{info.cutoff_at.isoformat()}{reported})")


@snapshot.command(name="list")
@click.option("--quarter", type=QUARTER, default=None, help="Only this quarter's snapshots.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_context
def list_snapshots(context: Context, quarter: Quarter | None, output: str) -> None:
    """Every snapshot, oldest first: quarter, cut-off, position, who made it, and which is
    each quarter's published update."""
    store = _ready(context)
    with store.engine.connect() as connection:
        infos = snapshot_infos(connection, quarter)
        published = set(published_ids(connection).values())
    if output == "json":
        click.echo(json_text([_info_form(info, info.id in published) for info in infos],
                             indent=2))
        return
    table = Table(title="Snapshots", title_justify="left")
    for heading in ("id", "quarter", "cut-off", "reported by", "position", "head hash",
                    "made", "by", "version", "published"):
        table.add_column(heading)
    for info in infos:
        table.add_row(str(info.id), str(info.quarter), info.cutoff_at.isoformat(),
                      "" if info.reported_on is None else info.reported_on.isoformat(),
                      str(info.position), info.head_hash[:12],
                      f"{info.created_at:%Y-%m-%d %H:%M}", info.created_by, info.opslog_version,
                      "yes" if info.id in published else "")
    stdout_console().print(table)


def _info_form(info: SnapshotInfo, published: bool) -> dict[str, object]:
    return {
        "id": info.id, "quarter": str(info.quarter), "cutoff_at": info.cutoff_at.isoformat(),
        "as_reported": None if info.reported_on is None else info.reported_on.isoformat(),
        "position": info.position, "head_hash": info.head_hash,
        "sha256": dict(info.hashes), "opslog_version": info.opslog_version,
        "created_at": info.created_at.isoformat(), "created_by": info.created_by,
        "published": published,
    }


@snapshot.command()
@click.argument("snapshot_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--format", "output", type=click.Choice(["text", "json", "md", "html"]),
              default="text", show_default=True,
              help="text or json: what the snapshot is; md or html: its stored rendering, "
                   "byte for byte.")
@pass_context
def show(context: Context, snapshot_id: int, output: str) -> None:
    """One snapshot: its cut-off, head hash, hashes and maker, or its stored rendering."""
    store = _ready(context)
    with store.engine.connect() as connection:
        found = load_snapshot(connection, snapshot_id)
        published = snapshot_id in published_ids(connection).values()
    if found is None:
        raise UserError(f"ID: there is no snapshot {snapshot_id}")
    if output in ("md", "html"):
        click.echo(found.texts["markdown" if output == "md" else "html"], nl=False)
        return
    form = _info_form(found.info, published)
    if output == "json":
        click.echo(json_text(form, indent=2))
        return
    info = found.info
    lines = [f"snapshot {info.id}: {_describe(info)}",
             f"chain head hash: {info.head_hash}",
             *(f"{stem.replace('_', ' ')} sha256: {value}" for stem, value in info.hashes.items()),
             f"made {info.created_at.isoformat()} by {info.created_by} with opslog "
             f"{info.opslog_version}",
             f"published: {'yes' if published else 'no'}"]
    click.echo("\n".join(lines))


@snapshot.command()
@click.argument("snapshot_id", metavar="[ID]", type=click.IntRange(min=1), required=False)
@click.option("--all", "every", is_flag=True, help="Check every snapshot.")
@pass_context
def verify(context: Context, snapshot_id: int | None, every: bool) -> None:
    """Prove snapshots against the log; exit 0 only when every one matches.

    Recomputes the hash chain up to each snapshot's position and checks its head hash,
    checks its cut-off still maps to its position, and makes its state and renderings
    again from the log, comparing SHA-256 byte for byte. Names what differs, and where.
    """
    if (snapshot_id is None) == (not every):
        raise UserError("give a snapshot ID or --all (not both)")
    store = _ready(context)
    with store.engine.connect() as connection:
        if snapshot_id is None:
            ids = [info.id for info in snapshot_infos(connection)]
        elif load_snapshot(connection, snapshot_id) is None:
            raise UserError(f"ID: there is no snapshot {snapshot_id}")
        else:
            ids = [snapshot_id]
    if not ids:
        click.echo("no snapshots to verify")
        return
    try:
        verdicts = verify_snapshots(store, ids, __version__)
    except ProjectionError as error:
        raise UserError(str(error)) from error
    for verdict in verdicts:
        click.echo("\n".join(_verdict_lines(verdict)))
    failed = [verdict for verdict in verdicts if not verdict.ok]
    click.echo(f"{len(verdicts) - len(failed)} of {len(verdicts)} snapshots verified"
               + (f"; {len(failed)} DIFFER" if failed else ""), err=True)
    if failed:
        raise SystemExit(1)


def _verdict_lines(verdict: Verdict) -> list[str]:
    info = verdict.info
    if verdict.ok:
        return [f"snapshot {info.id}, {_describe(info)}: ok",
                f"  chain head {info.head_hash}; Markdown {info.hashes['markdown'][:16]}…, "
                f"HTML {info.hashes['html'][:16]}…"]
    lines = [f"snapshot {info.id}, {_describe(info)}: DIFFERS"]
    lines += [f"  {finding}" for finding in verdict.findings]
    if info.opslog_version != verdict.opslog_version:
        lines.append(f"  (made by opslog {info.opslog_version}, checked by opslog "
                     f"{verdict.opslog_version}: a change of renderer also shows as a "
                     "difference)")
    return lines


@click.command(name="publish")
@click.option("--quarter", type=QUARTER, required=True, help="Like 2018-19-Q1.")
@click.option("--snapshot", "snapshot_id", type=click.IntRange(min=1), default=None,
              metavar="ID", help="This snapshot of the quarter (default: its latest).")
@ACTOR_OPTION
@pass_context
def publish_command(context: Context, quarter: Quarter, snapshot_id: int | None,
                    actor: str | None) -> None:
    """Make a snapshot the quarter's published update (a new publication on record).

    `opslog report` for the quarter then says whether today's view differs from it.
    """
    store = _ready(context)
    published_by = _allowed(store, actor, "publish")
    try:
        done = publish(store, quarter, published_by=published_by, now=datetime.now(UTC),
                       snapshot_id=snapshot_id)
    except NothingToPublish as error:
        option = "--snapshot" if snapshot_id is not None else "--quarter"
        hint = "" if snapshot_id is not None else (
            f"; make one with `opslog snapshot create --quarter {quarter}`")
        raise UserError(f"{option}: {error}{hint}") from error
    info = done.info
    if done.already:
        click.echo(f"snapshot {info.id}, {_describe(info)}, already is the published update "
                   f"of {quarter}: nothing written")
        return
    click.echo(f"published snapshot {info.id}, {_describe(info)}, as the update of {quarter}")


def published_lines(store: EventStore, quarter: Quarter, current: Report) -> list[str]:
    """How the current report compares with the quarter's published update (none: [])."""
    try:
        published = published_report(store, quarter)
    except ProjectionError as error:
        return [f"cannot compare with the published update: {error}"]
    if published is None:
        return []
    info, publication = published.info, published.publication
    where = (f"the published update (snapshot {info.id} at position {info.position}, "
             f"published {publication.published_at:%Y-%m-%d %H:%M} UTC by "
             f"{publication.published_by})")
    changes = compare_reports(published.report, current)
    if not changes:
        return [f"matches {where} in every milestone, figure and update"]
    return [f"differs from {where}:", *(visible(f"  {change}") for change in changes)]
