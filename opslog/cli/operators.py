"""Operators' commands: set up the database, and fill it with the sample report."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click

from catalogue import Quarter
from catalogue.reported import recorded_day
from commands.envelope import check_actor
from commands.errors import Refused
from commands.identity import direct, make_first_admin
from commands.identity.roles import roles_now
from commands.outcome import Outcome, Status
from commands.sample import HISTORY, SAMPLE_ADMIN, HistoryFile, history_commands
from commands.service import CommandService
from eventstore import EventStore
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.board_table import print_board
from opslog.database import initialise
from projections import query
from projections.quarter.figures import long_date
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
    ("TaskforceChanged", "taskforce changed"),
    ("EventCorrected", "corrections"),
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

    The sample goes on after Quarter 1 with history recorded late; the board and report
    shown are Quarter 1's as published. Creates the database if needed, makes
    opslog.admin its first admin (unless it has one), submits the sample commands: the
    Quarter 1 report, a Quarter 2 return (Central East BCU live in September, the
    taskforce at 272 officers), a Quarter 3 return that corrects the go-live to November,
    and the restatement in the release of 25 April 2019,
    each declared on its source's date (``reported_on``; a file dated after today is left
    for later). It prints the milestone board and writes the Quarter 1 report rebuilt from
    the log as reported by its date (`opslog report --as-reported 2018-06-30`) as one HTML
    page. Running it again records nothing new: every sample command has an id, and a
    command already recorded answers with its first result.
    """
    _record_sample(context)
    if not no_report:
        _show_sample_report(context, html_file)


def _show_sample_report(context: Context, html_file: Path) -> None:
    store = context.store()
    cutoff = query.resolve_cutoff(store, reported=HISTORY[0].reported_on)
    built = query.report(store, SAMPLE_QUARTER, cutoff)
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
    today = recorded_day(datetime.now(UTC))
    lines: list[str] = []
    recorded = 0
    for history in HISTORY:
        if history.reported_on > today:
            lines.append(f"not yet reported: {history.name} is reported on "
                         f"{long_date(history.reported_on)}, after today")
            continue
        outcomes = _record_file(service, history)
        recorded += len(outcomes)
        lines += _recorded_lines(history, outcomes, context.url)
    if not any(line.startswith("recorded") for line in lines):
        lines.insert(0, f"nothing new: all {recorded} sample commands were already recorded "
                        f"(log head at position {store.head().position}) in {context.url}")
    for line in lines:
        click.echo(line)


def _record_file(service: CommandService, history: HistoryFile) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for line, item in history_commands(history):
        outcome = Outcome.refused(item) if isinstance(item, Refused) else service.submit(item)
        if not outcome.accepted:
            raise click.ClickException(f"{history.name} line {line}: {outcome.describe()}")
        outcomes.append(outcome)
    return outcomes


def _recorded_lines(history: HistoryFile, outcomes: list[Outcome], url: str) -> list[str]:
    """What one file recorded: nothing when all of it was there already."""
    new = [outcome for outcome in outcomes if outcome.status is Status.ACCEPTED]
    if not new:
        return []
    counts = Counter(kind for outcome in new for kind in outcome.event_types)
    events = sum(counts.values())
    what = ("the 2018-19 Quarter 1 report" if history is HISTORY[0]
            else history.name.removesuffix(".jsonl"))
    lines = [f"recorded {what} (reported on {long_date(history.reported_on)}): {len(new)} "
             f"commands as {events} events (positions {new[0].first_position}-"
             f"{new[-1].last_position}) in {url}"]
    listed = [f"{counts[kind]} {label}" for kind, label in WHAT if counts[kind]]
    if listed:
        lines.append("  " + ", ".join(listed))
    if len(new) < len(outcomes):
        lines.append(f"  ({len(outcomes) - len(new)} sample commands were already recorded)")
    return lines
