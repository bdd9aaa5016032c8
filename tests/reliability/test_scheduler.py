"""Check 7: one scheduler per database, a killed one's successor duplicates nothing, and no
table's content makes the scheduler run anything but its own jobs.

Each round starts two ``opslog scheduler run`` processes at the same moment on a log
whose first event is years old, so that the one that runs starts by making a snapshot
of every closed quarter. Exactly one must run and the other refuse; the one running is
then killed with SIGKILL at a random moment, usually part-way through the snapshots.
On SQLite its lease outlives it until its time to live (shortened to a few seconds for
the test), and a scheduler started meanwhile must be refused naming the dead holder. A
last scheduler then runs to the end of its start-up work and is stopped with SIGTERM.
Afterwards every closed quarter has exactly one snapshot, and each verifies.

APScheduler's SQLAlchemyJobStore kept jobs as pickles, and unpickling runs code: a row
written into its table ran a command inside the scheduler. The planted-jobs check writes
such rows and checks that the scheduler neither unpickles nor runs them.

The lost-lease check runs ``opslog scheduler run`` as its own process, takes its lease
away (PostgreSQL: its session's backend terminated, as a server restart does; SQLite: its
row taken over) and checks that it stops running jobs at once and exits non-zero with one
line, so that a restart-on-failure supervisor starts it again.
"""

from __future__ import annotations

import logging
import os
import pickle
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from apscheduler.triggers.date import DateTrigger

from eventstore import EventStore
from eventstore.tables import leases
from opslog import __version__
from opslog.database import initialise
from opslog.scheduler import jobs
from opslog.scheduler.process import (
    CATCH_UP_JOB,
    CHECKPOINT_JOB,
    QUARTER_CLOSE_JOB,
    RENEW_JOB,
    RENEW_SECONDS,
    SchedulerProcess,
)
from projections.snapshots.registry import snapshot_infos
from projections.snapshots.taking import closed_quarters, grace_ends
from projections.snapshots.verify import verify_snapshots
from tests.conftest import backend_of
from tests.projections.builders import open_writer
from tests.projections.random_log import write_random_log
from tests.reliability import processes, workers
from tests.reliability.figures import Figures, scaled
from tests.reliability.plan import ADMIN, first_admin
from tests.scheduler.leases import take_lease_away

ROUNDS = 5
LEASE_SECONDS = 1.5
LOG_STEPS = 600
REFUSED = "another scheduler is running on this database"
STARTED = "scheduler started by"
SNAPSHOT = "quarter-close: snapshot "


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def start_schedulers(url: str, logs: list[Path]) -> list[Any]:
    """Schedulers on `url`, one per log file, released at the same moment once each has
    said it is ready (the event must outlive their start)."""
    context = processes.context()
    go = context.Event()
    ready = [context.Event() for _ in logs]
    started = [processes.start(workers.scheduler, url, str(log), LEASE_SECONDS, flag, go)
               for log, flag in zip(logs, ready, strict=True)]
    assert all(flag.wait(60) for flag in ready), "a scheduler process did not start"
    go.set()
    return started


def race(url: str, logs: list[Path]) -> tuple[Any, Path, Path]:
    """Two schedulers at once: the one running and its log, and the refused one's log."""
    pair = start_schedulers(url, logs)
    wait_for(lambda: any(process.exitcode is not None for process in pair),
             "one of two schedulers to give up")
    wait_for(lambda: any(STARTED in text(log) for log in logs), "a scheduler to start")
    refused = [n for n, process in enumerate(pair) if process.exitcode is not None]
    assert len(refused) == 1, [text(log) for log in logs]
    loser, winner = refused[0], 1 - refused[0]
    assert pair[loser].exitcode == 1, text(logs[loser])
    assert REFUSED in text(logs[loser])
    assert pair[winner].is_alive(), text(logs[winner])
    assert STARTED in text(logs[winner]) and STARTED not in text(logs[loser])
    return pair[winner], logs[winner], logs[loser]


def made_at_least(log: Path, count: int) -> bool:
    return text(log).count(SNAPSHOT) >= count


def lapsed(expiry: datetime | None) -> bool:
    return expiry is None or datetime.now(UTC) > expiry


def snapshot_count(store: EventStore) -> int:
    with store.engine.connect() as connection:
        return len(snapshot_infos(connection))


def lease_expiry(store: EventStore) -> datetime | None:
    with store.engine.connect() as connection:
        return connection.execute(sa.select(leases.c.expires_at)).scalar()


@pytest.mark.slow
def test_one_scheduler_runs_and_a_killed_ones_successor_makes_no_duplicate(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    """Two at once: one runs, one refuses; SIGKILL mid-snapshot; snapshots end one each."""
    rounds = scaled(ROUNDS)
    rng = random.Random(20181001)
    with EventStore.open(database_url, create=True) as store:
        initialise(store)
    writer = open_writer(database_url, create=False)
    write_random_log(writer, 21, steps=scaled(LOG_STEPS))
    store = writer.store
    first_admin(store)  # whom `opslog scheduler run` acts as (workers.scheduler)
    quarters = closed_quarters(store, datetime.now(UTC))
    sqlite = backend_of(database_url) == "sqlite"
    made_at_kill: list[int] = []
    logs_of_runs: list[Path] = []
    refused_while_lease_lived = 0
    started = time.monotonic()
    for round_ in range(rounds):
        logs = [tmp_path / f"round-{round_}-{side}.log" for side in "ab"]
        running, log, _ = race(database_url, logs)
        logs_of_runs.append(log)
        remaining = len(quarters) - snapshot_count(store)
        if remaining > 1:  # kill it part-way through the snapshots it is making
            made = rng.randint(1, min(6, remaining - 1))
            wait_for(partial(made_at_least, log, made), f"{made} snapshots")
            time.sleep(rng.uniform(0.0, 0.03))
        else:
            time.sleep(rng.uniform(0.0, 0.5))
        processes.kill(running)
        made_at_kill.append(snapshot_count(store))
        if sqlite:
            # The dead scheduler's lease lives on until its time to live has passed.
            log = tmp_path / f"round-{round_}-lone.log"
            (lone,) = start_schedulers(database_url, [log])
            lone.join(60)
            assert lone.exitcode == 1 and REFUSED in text(log)
            assert f"{socket.gethostname()}:{running.pid}" in text(log)
            refused_while_lease_lived += 1
            wait_for(partial(lapsed, lease_expiry(store)), "the lease to lapse")
    last, last_log, _ = race(database_url, [tmp_path / "last-a.log", tmp_path / "last-b.log"])
    wait_for(lambda: "closed quarters" in text(last_log), "the last start-up run")
    assert last.pid is not None
    os.kill(last.pid, signal.SIGTERM)
    last.join(60)
    assert last.exitcode == 0, text(last_log)
    logs_of_runs.append(last_log)
    elapsed = time.monotonic() - started

    with store.engine.connect() as connection:
        infos = snapshot_infos(connection)
        assert connection.execute(sa.select(leases)).all() == [], "the lease was not freed"
    made_by_runs = [line.split(SNAPSHOT)[1].split()[0] for log in logs_of_runs
                    for line in text(log).splitlines() if SNAPSHOT in line]
    # Each run logs what it made (a run killed between a commit and its log line leaves one
    # out): no snapshot is made twice.
    assert len(made_by_runs) == len(set(made_by_runs)), made_by_runs
    assert set(made_by_runs) <= {str(info.id) for info in infos}
    per_quarter = Counter(str(info.quarter) for info in infos)
    assert per_quarter == Counter(str(quarter) for quarter in quarters), per_quarter
    assert all(info.cutoff_at == grace_ends(info.quarter) for info in infos)
    verdicts = verify_snapshots(store, [info.id for info in infos], __version__)
    assert all(verdict.ok for verdict in verdicts), [str(v) for v in verdicts if not v.ok]
    writer.store.close()
    figures.add(rounds=rounds, schedulers_started=2 * (rounds + 1) + refused_while_lease_lived,
                refused=rounds + 1 + refused_while_lease_lived, killed=rounds,
                refused_while_a_dead_lease_lived=refused_while_lease_lived,
                closed_quarters=len(quarters), snapshots=len(infos),
                snapshots_made_when_killed=made_at_kill,
                killed_mid_snapshots=sum(1 for made in made_at_kill if made < len(quarters)),
                events=store.head().position,
                seconds=round(elapsed, 1))
    print(figures)


class WritesOnUnpickling:
    """A pickle whose loading writes `marker`: what a hostile job-table row would hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.write_text, (self.marker, "unpickled"))


def job_table() -> sa.Table:
    """APScheduler's job table, as its SQLAlchemyJobStore (and once op0001) made it."""
    return sa.Table(
        "apscheduler_jobs", sa.MetaData(),
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
    )


def plant_jobs(url: str, unpickled: Path, ran: Path) -> int:
    """Rows in the job table, both due: one whose unpickling writes `unpickled`, and a
    well-formed job calling ``Path.write_text(ran, ...)``. The rows planted."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    foreign_job = {
        "version": 1, "id": "planted-job", "name": "planted-job",
        "func": "pathlib:Path.write_text", "args": (ran, "ran"), "kwargs": {},
        "trigger": DateTrigger(due, timezone=UTC), "executor": "default",
        "misfire_grace_time": None, "coalesce": True, "max_instances": 1, "next_run_time": due,
    }
    rows = [
        {"id": "planted-pickle", "next_run_time": due.timestamp(),
         "job_state": pickle.dumps(WritesOnUnpickling(unpickled))},
        {"id": "planted-job", "next_run_time": due.timestamp(),
         "job_state": pickle.dumps(foreign_job)},
    ]
    table = job_table()
    with EventStore.open(url) as store, store.engine.begin() as connection:
        table.create(connection, checkfirst=True)
        connection.execute(table.insert(), rows)
    return len(rows)


def catch_up_runs(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records
               if record.getMessage().startswith("read-model catch-up:"))


def test_planted_jobs_never_run(database_url: str, tmp_path: Path, figures: Figures,
                                caplog: pytest.LogCaptureFixture) -> None:
    """A job table holding a pickle that writes a file when loaded, and a due job calling a
    function of nobody's choosing: the scheduler runs its own jobs (the start-up quarter
    close and several catch-ups) and neither planted row is ever loaded or run."""
    with EventStore.open(database_url, create=True) as store:
        initialise(store)
    unpickled, ran = tmp_path / "unpickled", tmp_path / "ran"
    planted = plant_jobs(database_url, unpickled, ran)
    caplog.set_level(logging.INFO, logger="opslog.scheduler")
    process = SchedulerProcess(database_url, catch_up_seconds=0.1, blocking=False)
    process.start()
    try:
        wait_for(lambda: catch_up_runs(caplog) >= 3, "three catch-up runs")
        wait_for(lambda: any("quarter-close: 0 closed quarters" in record.getMessage()
                             for record in caplog.records), "the start-up quarter close")
        found = {(job.id, job.func, job.args) for job in process.scheduler.get_jobs()}
    finally:
        process.stop()
    written = [marker.name for marker in (unpickled, ran) if marker.exists()]
    assert written == []
    assert found == {
        (QUARTER_CLOSE_JOB, process.guarded, (jobs.close_quarters,)),
        (CATCH_UP_JOB, process.guarded, (jobs.catch_up_read_models,)),
        (CHECKPOINT_JOB, process.guarded, (jobs.make_checkpoint,)),
        (RENEW_JOB, process.confirm_lease, ()),
    }
    figures.add(planted_rows=planted, planted_pickles_loaded_or_run=len(written),
                own_catch_up_runs=catch_up_runs(caplog), scheduler_jobs=len(found))


CATCH_UP_LINE = "read-model catch-up:"
LOST_LINE = "scheduler lease lost"
LOST_ERROR = "Error: the scheduler lost its hold on this database ("


@pytest.mark.parametrize("catch_up_seconds", [0.1, 600.0], ids=["busy", "idle"])
def test_a_scheduler_that_loses_its_lease_stops_at_once_and_exits_non_zero(
    database_url: str, tmp_path: Path, figures: Figures, catch_up_seconds: float
) -> None:
    """`opslog scheduler run`, its lease taken away while its jobs run (busy: a catch-up
    every 0.1 s; idle: only the start-up run, so the renewal must notice): no job runs
    after the loss is found (at most the one running then finishes), and the process exits
    1 with one line, well within the renewal interval."""
    with EventStore.open(database_url, create=True) as store:
        initialise(store)
        first_admin(store)
    log = tmp_path / "scheduler.log"
    opslog = Path(sys.executable).with_name("opslog")
    command = [str(opslog), "--db", database_url, "scheduler", "run",
               "--catch-up-seconds", str(catch_up_seconds), "--actor", ADMIN]
    busy = catch_up_seconds < 1
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        if busy:
            wait_for(lambda: text(log).count(CATCH_UP_LINE) >= 3, "three catch-up runs")
        else:
            wait_for(lambda: "quarter-close: 0 closed quarters" in text(log), "the start-up run")
        runs_before = text(log).count(CATCH_UP_LINE)
        lost_at = time.monotonic()
        how = take_lease_away(database_url)
        wait_for(lambda: LOST_LINE in text(log), "the scheduler to find its lease lost")
        found_after = time.monotonic() - lost_at
        process.wait(timeout=60)
        exited_after = time.monotonic() - lost_at
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = text(log)
    lines = output.splitlines()
    runs_after = output.count(CATCH_UP_LINE) - runs_before
    assert process.returncode == 1, output[-3000:]
    (error,) = [line for line in lines if line.startswith("Error:")]
    assert error.startswith(LOST_ERROR) and error.endswith("start it again")
    assert "Traceback" not in output
    found = next(n for n, line in enumerate(lines) if LOST_LINE in line)
    assert sum(CATCH_UP_LINE in line for line in lines[found:]) <= 1, output[-3000:]
    assert runs_after <= 1, output[-3000:]
    # Busy, the next job finds the loss; idle, the renewal does.
    assert found_after < (RENEW_SECONDS if busy else RENEW_SECONDS + 5), found_after
    figures.add(mode="busy" if busy else "idle", lease_taken_by=how,
                catch_up_seconds=catch_up_seconds, exit_code=process.returncode,
                seconds_from_loss_to_found=round(found_after, 2),
                seconds_from_loss_to_exit=round(exited_after, 2),
                job_runs_ended_after_loss=runs_after)
