"""Operators' scheduler command: the long-running process that makes quarterly snapshots
and keeps the read models current."""

from __future__ import annotations

import logging
import signal
from types import FrameType

import click

from commands.errors import Refused
from commands.permissions import require
from eventstore import EventStoreError, schema
from eventstore.leases import LeaseHeld
from opslog.cli.base import Context, UserError, pass_context
from opslog.cli.identity import ACTOR_OPTION, operator_actor, refused
from opslog.database import alembic_config
from opslog.scheduler.process import (
    DEFAULT_CATCH_UP_SECONDS,
    DEFAULT_CHECKPOINT_SECONDS,
    SchedulerProcess,
)
from projections.snapshots.taking import DEFAULT_GRACE_DAYS

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.group()
def scheduler() -> None:
    """The scheduler process: quarterly snapshots and read models kept current."""


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@scheduler.command()
@click.option("--catch-up-seconds", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_CATCH_UP_SECONDS, show_default=True, metavar="N",
              help="Bring the read models up to the log's head every N seconds.")
@click.option("--grace-days", type=click.IntRange(min=0, max=366), default=DEFAULT_GRACE_DAYS,
              show_default=True, metavar="N",
              help="Snapshot each quarter N days after its close, cut off then, so that "
                   "late returns are in it.")
@click.option("--checkpoint-seconds", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_CHECKPOINT_SECONDS, show_default=True, metavar="N",
              help="Sign a checkpoint of the log every N seconds when it grew (needs "
                   "$OPSLOG_SIGNING_KEY).")
@ACTOR_OPTION
@pass_context
def run(context: Context, catch_up_seconds: float, grace_days: int,
        checkpoint_seconds: float, actor: str | None) -> None:
    """Run this database's one scheduler until stopped (Ctrl-C or SIGTERM).

    Its jobs are defined in code and nothing of them is read from the database: the
    quarter-close job (00:30 London time on the day each quarter's grace period ends, and
    once at start) makes every missing snapshot of every quarter of the plan, from its
    first, whose close plus --grace-days has passed, cut off at that time, so returns that
    arrive after the close are in it; the catch-up job folds new events into the read
    models; the checkpoint job signs the log's Merkle tree every --checkpoint-seconds when it
    grew, with the key in $OPSLOG_SIGNING_KEY (which also signs each snapshot's checkpoint).
    A second scheduler on
    the same database refuses to start; one that loses its hold on the database (say, a
    PostgreSQL restart) stops its jobs at once and exits with status 1.

    It acts as --actor, who must be allowed to take snapshots (admin or performance) when
    it starts and at each quarter-close run: a role revoked meanwhile stops its snapshots.
    """
    store = context.store()
    try:
        current, expected = schema.current_heads(store.engine), schema.expected_heads(
            alembic_config())
    except EventStoreError as error:
        raise UserError(f"--db: {error}") from error
    if current != expected:
        raise UserError("the database is not at this version's schema: run `opslog init`")
    who = operator_actor(actor)
    try:
        require(store, who, "snapshot")
    except Refused as refusal:
        raise refused(refusal) from None
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # each job logs what it did
    process = SchedulerProcess(context.url, catch_up_seconds=catch_up_seconds,
                               grace_days=grace_days, actor=who,
                               checkpoint_seconds=checkpoint_seconds)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        process.start()
    except LeaseHeld as error:
        raise UserError(
            f"another scheduler is running on this database: {error}. APScheduler would run "
            "every job twice, so this one does not start") from error
    except (KeyboardInterrupt, SystemExit):
        click.echo("scheduler stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        process.stop()
    if process.lost is not None:
        raise click.ClickException(
            f"the scheduler lost its hold on this database ({process.lost}) and stopped its "
            "jobs so that none runs twice; start it again")
