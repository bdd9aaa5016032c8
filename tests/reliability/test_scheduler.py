"""Check 7: one scheduler per database, and a killed one's successor duplicates nothing.

Each round starts two ``opslog scheduler run`` processes at the same moment on a log
whose first event is years old, so that the one that runs starts by making a snapshot
of every closed quarter. Exactly one must run and the other refuse; the one running is
then killed with SIGKILL at a random moment, usually part-way through the snapshots.
On SQLite its lease outlives it until its time to live (shortened to a few seconds for
the test), and a scheduler started meanwhile must be refused naming the dead holder. A
last scheduler then runs to the end of its start-up work and is stopped with SIGTERM.
Afterwards every closed quarter has exactly one snapshot, and each verifies.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eventstore import EventStore
from eventstore.tables import leases
from opslog import __version__
from opslog.database import initialise
from projections.snapshots.registry import snapshot_infos
from projections.snapshots.taking import closed_quarters
from projections.snapshots.verify import verify_snapshots
from tests.conftest import backend_of
from tests.projections.builders import open_writer
from tests.projections.random_log import write_random_log
from tests.reliability import processes, workers
from tests.reliability.figures import Figures, scaled

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
    assert all(info.cutoff_at == info.quarter.closes_at for info in infos)
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
