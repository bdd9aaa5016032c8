"""Operators' commands: set up the database, and fill it with the sample report."""

from __future__ import annotations

from collections import Counter

import click

from commands.errors import Refused
from commands.outcome import Outcome, Status
from commands.sample import SAMPLE_FILE, sample_commands
from commands.service import CommandService
from opslog.cli.base import Context, pass_context
from opslog.database import initialise


@click.command()
@pass_context
def init(context: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    store = context.store()
    initialise(store)
    head = store.head()
    click.echo(f"database ready at {context.url} (head position {head.position})")


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
@pass_context
def demo(context: Context) -> None:
    """Create the database and record the 2018-19 Quarter 1 report as sample data.

    Running it again records nothing new: every sample command has an id, and a command
    already recorded answers with its first result.
    """
    store = context.store()
    initialise(store)
    service = CommandService(store)
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


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(demo)
