"""The scheduler process: one per database, jobs in memory with fixed ids, and a real run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from click.testing import CliRunner

from catalogue import MilestoneScheduled, Quarter, ThemeDefined
from catalogue.periods import LONDON
from commands.identity import direct, make_first_admin
from eventstore import EventStore
from eventstore.leases import LeaseHeld
from eventstore.tables import leases
from opslog.cli import main
from opslog.scheduler import jobs
from opslog.scheduler.process import (
    CATCH_UP_JOB,
    CHECKPOINT_JOB,
    QUARTER_CLOSE_JOB,
    RENEW_JOB,
    STARTUP_JOB,
    SchedulerProcess,
)
from projections.readmodels.runner import Runner
from projections.snapshots.registry import snapshot_infos
from tests.projections.builders import open_writer
from tests.scheduler.leases import take_lease_away

STARTED = datetime(2018, 7, 2, 9, 0, tzinfo=UTC)


OPERATOR = "ops.scheduler"
"""Whom the scheduler acts as: its snapshots need admin or performance."""


def test_the_command_runs_only_as_an_actor_who_may_take_snapshots(url: str) -> None:
    """Given no --actor, an actor with no role, or a recorder, the scheduler does not start
    (one line naming --actor, no lease taken); the quarter-close job run as an actor whose
    role was revoked makes nothing."""
    with EventStore.open(url) as store:
        make_first_admin(store, OPERATOR, direct())
    for args, message in (([], "Error: --actor: say whom you act as"),
                          (["--actor", "nobody"], "Error: --actor: 'nobody' holds no role")):
        result = CliRunner().invoke(main, ["--db", url, "scheduler", "run", *args])
        assert result.exit_code == 1 and result.output.startswith(message), result.output
    with EventStore.open(url) as store, store.engine.connect() as connection:
        assert connection.execute(sa.select(leases)).all() == []
    assert jobs.close_quarters(url, actor="nobody") is None
    assert jobs.close_quarters(url, actor=OPERATOR) is not None


@pytest.fixture
def started(url: str) -> Iterator[SchedulerProcess]:
    """A background scheduler on `url` holding the database, started paused (nothing runs)."""
    process = SchedulerProcess(url, catch_up_seconds=30, blocking=False, holder="first:1")
    process.start(paused=True)
    try:
        yield process
    finally:
        process.stop()


def test_jobs_have_fixed_ids_functions_and_urls(url: str) -> None:
    """Started paused on 2 July 2018: each job runs a module-level function of the database
    URL once the lease is confirmed, the renewal confirms it; the quarter close next fires
    as Quarter 1's 30 days of grace end (00:30 on 31 July), the catch-up one interval on."""
    process = SchedulerProcess(url, catch_up_seconds=30, blocking=False, actor=OPERATOR,
                               checkpoint_seconds=600)
    with time_machine.travel(STARTED, tick=False):
        process.start(paused=True)
        found = {job.id: job for job in process.scheduler.get_jobs()}
        process.stop()
    assert set(found) == {QUARTER_CLOSE_JOB, CATCH_UP_JOB, STARTUP_JOB, RENEW_JOB,
                          CHECKPOINT_JOB}
    assert {name: (job.func, job.args, job.kwargs) for name, job in found.items()} == {
        QUARTER_CLOSE_JOB: (process.guarded, (jobs.close_quarters,),
                            {"grace_days": 30, "actor": OPERATOR}),
        CATCH_UP_JOB: (process.guarded, (jobs.catch_up_read_models,), {}),
        CHECKPOINT_JOB: (process.guarded, (jobs.make_checkpoint,), {}),
        STARTUP_JOB: (process.guarded, (jobs.close_quarters,),
                      {"grace_days": 30, "actor": OPERATOR}),
        RENEW_JOB: (process.confirm_lease, (), {}),
    }
    assert process.url == url
    q1_grace_ends = datetime(2018, 7, 31, 0, 30, tzinfo=LONDON)
    assert found[QUARTER_CLOSE_JOB].next_run_time == q1_grace_ends
    assert found[CATCH_UP_JOB].next_run_time == STARTED + timedelta(seconds=30)
    assert found[STARTUP_JOB].next_run_time == STARTED
    assert found[CHECKPOINT_JOB].next_run_time == STARTED + timedelta(seconds=600)


def test_nothing_of_the_jobs_is_kept_in_the_database(url: str) -> None:
    """Started and stopped, the scheduler leaves no table behind: `opslog init` makes no
    job table, and starting the scheduler creates none."""
    with EventStore.open(url) as store:
        before = set(sa.inspect(store.engine).get_table_names())
    process = SchedulerProcess(url, blocking=False)
    process.start(paused=True)
    process.stop()
    with EventStore.open(url) as store:
        after = set(sa.inspect(store.engine).get_table_names())
    assert "apscheduler_jobs" not in before
    assert after == before


def test_a_second_scheduler_on_the_same_database_is_refused(url: str,
                                                            started: SchedulerProcess) -> None:
    """While one runs, another cannot start and is told who holds the database; once the
    first stops, the next can start."""
    second = SchedulerProcess(url, blocking=False, holder="second:2")
    with pytest.raises(LeaseHeld, match="held by first:1"):
        second.start(paused=True)
    assert not second.scheduler.running
    started.stop()
    second = SchedulerProcess(url, blocking=False, holder="second:2")
    second.start(paused=True)
    second.stop()


def test_the_command_refuses_a_second_scheduler_in_one_line(url: str,
                                                            started: SchedulerProcess) -> None:
    """`opslog scheduler run` exits 1 naming the holder and why, with no traceback."""
    with EventStore.open(url) as store:
        make_first_admin(store, OPERATOR, direct())
    result = CliRunner().invoke(main, ["--db", url, "scheduler", "run", "--actor", OPERATOR])
    assert result.exit_code == 1
    assert result.output.startswith("Error: another scheduler is running on this database: "
                                    "'opslog-scheduler' is held by first:1")
    assert "APScheduler would run every job twice" in result.output
    assert "Traceback" not in result.output


def test_a_job_due_after_the_lease_is_lost_does_nothing_and_the_scheduler_stops(
        url: str) -> None:
    """Started paused with an event to fold, the lease is taken away (PostgreSQL: its
    session ended; SQLite: its row taken over). The catch-up job, run as the scheduler runs
    it, folds nothing and shuts the scheduler down; the renewal then confirms nothing."""
    writer = open_writer(url, create=False)
    writer.record(ThemeDefined(number=2, title="Violence"))
    process = SchedulerProcess(url, blocking=False, holder="first:1")
    process.start(paused=True)
    try:
        take_lease_away(url)
        job = process.scheduler.get_job(CATCH_UP_JOB)
        job.func(*job.args)
        assert process.lost is not None
        assert not process.scheduler.running
        assert Runner(writer.store).status().live is None
        assert process.confirm_lease() is False
    finally:
        process.stop()
        writer.store.close()


def test_the_command_runs_until_terminated(url: str) -> None:
    """`opslog scheduler run` as its own process: logs what its jobs did, refuses a second
    process, and on SIGTERM stops cleanly and frees the database for the next one."""
    with EventStore.open(url) as store:
        make_first_admin(store, OPERATOR, direct())
    opslog = Path(sys.executable).with_name("opslog")
    command = [str(opslog), "--db", url, "scheduler", "run", "--catch-up-seconds", "0.2",
               "--actor", OPERATOR]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stderr is not None
        lines = []
        while not any("read-model catch-up:" in line for line in lines):
            line = first.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert any("quarter-close: 0 closed quarters" in line for line in lines)
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another scheduler is running on this database" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        _, rest = first.communicate(timeout=60)
    assert first.returncode == 0
    assert "scheduler stopped" in rest
    with EventStore.open(url) as store, store.engine.connect() as connection:
        assert connection.execute(sa.select(leases)).all() == []


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the scheduler did not do it in time")
        time.sleep(0.05)


def test_a_running_scheduler_catches_up_and_snapshots(url: str) -> None:
    """A real background scheduler, catch-up every 0.2 s: the read models reach the head,
    new events are folded on the next run, and the plan's quarters whose grace period has
    ended are snapshotted by the run at start."""
    began = datetime.now(UTC) - timedelta(days=200)
    writer = open_writer(url, start=began.isoformat(), create=False)
    writer.record(ThemeDefined(number=2, title="Violence"))
    writer.record(MilestoneScheduled(milestone_id="m", title="M", topic_id="t",
                                     due_quarter=Quarter.at(began), owner_unit="u"))
    process = SchedulerProcess(url, catch_up_seconds=0.2, blocking=False)
    process.start()
    try:
        runner = Runner(writer.store)

        def live_at_head() -> bool:
            live = runner.status().live
            return live is not None and live.position == writer.store.head().position

        wait_for(live_at_head)
        writer.record(ThemeDefined(number=3, title="Safeguarding"))
        wait_for(live_at_head)

        def snapshotted() -> list[str]:
            with writer.store.engine.connect() as connection:
                return [str(info.quarter) for info in snapshot_infos(connection)]

        first = str(Quarter.at(began))
        wait_for(lambda: first in snapshotted())
        assert snapshotted()[0] == first
    finally:
        process.stop()
        writer.store.close()


def test_the_grace_period_is_an_option_of_the_command(url: str) -> None:
    """`--grace-days N` (30 by default) says when each quarter is snapshotted; a negative
    one is refused in one line naming the option, before anything starts."""
    help_text = CliRunner().invoke(main, ["scheduler", "run", "--help"]).output
    assert "--grace-days N" in help_text and "[default: 30;" in help_text
    result = CliRunner().invoke(main, ["--db", url, "scheduler", "run", "--grace-days", "-1"])
    assert result.exit_code == 2
    assert "--grace-days" in result.output and "Traceback" not in result.output
    with EventStore.open(url) as store, store.engine.connect() as connection:
        assert connection.execute(sa.select(leases)).all() == []


def test_the_process_passes_its_grace_to_the_quarter_close_jobs(url: str) -> None:
    """Started with 45 days of grace on 2 July 2018: both quarter-close runs get 45, and the
    next firing is Quarter 1's close plus 45 days (00:30 London on 15 August)."""
    process = SchedulerProcess(url, grace_days=45, blocking=False)
    with time_machine.travel(STARTED, tick=False):
        process.start(paused=True)
        found = {job.id: job for job in process.scheduler.get_jobs()}
        process.stop()
    assert found[QUARTER_CLOSE_JOB].kwargs == found[STARTUP_JOB].kwargs == {"grace_days": 45,
                                                                          "actor": None}
    assert found[QUARTER_CLOSE_JOB].next_run_time == datetime(2018, 8, 15, 0, 30, tzinfo=LONDON)
