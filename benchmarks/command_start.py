"""One command from a fresh `CommandService` on a long log: folding the whole log against
starting from the write model's checkpoint.

Not a test. For each log size (the generated log of `benchmarks/projections.py`, reused
from ``--workdir``), it times a new `CommandService` submitting one command (a role grant
by the log's first admin), which is what every `opslog submit` process does:

* ``fold``: no checkpoint, the whole log folded first (as before checkpoints);
* ``checkpoint``: the newest checkpoint loaded (its entities read as the command and the
  fold look them up), the events after it folded: the commands the earlier runs recorded
  and, with ``--tail``, that many more events recorded after the checkpoint.

Medians of ``--repeat`` runs; also the time to save the first checkpoint (every entity),
to save the next (only the entities changed since), the rows a checkpoint holds, and the
memory a submit from a checkpoint allocates at its peak (tracemalloc, one more run). The
``fold`` column is skipped above ``--fold-up-to`` events. With ``--processes``, each
submit runs in a new process instead (what ``opslog submit`` does; imports not counted),
from the checkpoints an earlier run saved, with the process's peak RSS. Run from the
repository root::

    .venv/bin/python benchmarks/command_start.py --sizes 10000,100000 --workdir /tmp/opslog-bench
    .venv/bin/python benchmarks/command_start.py --sizes 10000,100000 --processes
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]  # this folder's commands.py would hide the `commands` package

import argparse
import importlib.util
import itertools
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from commands.identity import direct, make_first_admin
from commands.service import CommandService
from commands.write_model.checkpoints import ModelCheckpoints
from commands.write_model.tables import command_model_checkpoints, command_model_entities
from eventstore import EventStore
from opslog.database import initialise

ADMIN = "bench.admin"
_ids = itertools.count(1)


def _projections_bench() -> Any:
    path = Path(__file__).with_name("projections.py")
    spec = importlib.util.spec_from_file_location("bench_projections", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _grant() -> dict[str, Any]:
    n = next(_ids)
    return {"command": "GrantRole", "id": f"bench-grant-{time.time_ns()}-{n}",
            "actor": ADMIN, "data": {"actor": f"bench.reader.{time.time_ns()}", "role": "auditor"}}


def _seconds(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _submit(store: EventStore, every: int) -> None:
    outcome = CommandService(store, checkpoint_every=every).submit(_grant())
    assert outcome.accepted, outcome.describe()


def _peak_kib(call: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**10
    finally:
        tracemalloc.stop()


def _clock_after(url: str) -> Callable[[], datetime]:
    """The machine's clock, moved past the log's last commit where the generator's
    replayed times run ahead of it (the store refuses a commit recorded before its head)."""
    with EventStore.open(url) as store:
        last = store.head().recorded_at
    ahead = timedelta(0) if last is None else max(timedelta(0), last - datetime.now(UTC))
    offset = ahead + timedelta(seconds=1) if ahead else ahead
    return lambda: datetime.now(UTC) + offset


def measure(url: str, size: int, repeat: int, fold_up_to: int, tail: int) -> dict[str, Any]:
    with EventStore.open(url, clock=_clock_after(url)) as store:
        initialise(store)
        with store.reading() as connection:
            admins = connection.execute(sa.text(
                "SELECT count(*) FROM events WHERE type = 'RoleGranted'")).scalar()
        if not admins:
            make_first_admin(store, ADMIN, direct())
        with store.engine.begin() as connection:
            connection.execute(command_model_entities.delete())
            connection.execute(command_model_checkpoints.delete())
        events = store.head().position
        fold = _seconds(lambda: _submit(store, 10**12), repeat) if events <= fold_up_to else None
        service = CommandService(store, checkpoint_every=10**12)
        started = time.perf_counter()
        state = service.catch_up()
        folded = time.perf_counter() - started
        checkpoints = ModelCheckpoints(store)
        started = time.perf_counter()
        assert checkpoints.save(state)
        save = time.perf_counter() - started
        with store.reading() as connection:
            entities = connection.execute(
                sa.select(sa.func.count()).select_from(command_model_entities)).scalar_one()
        for _ in range(tail):
            _submit(store, 10**12)
        resumed = _seconds(lambda: _submit(store, 10**12), repeat)
        peak = _peak_kib(lambda: _submit(store, 10**12))
        later = CommandService(store, checkpoint_every=10**12)
        state = later.catch_up()
        started = time.perf_counter()
        assert checkpoints.save(state)
        save_next = time.perf_counter() - started
        return {"events": events, "size": size, "fold_s": fold, "folded_s": folded,
                "checkpoint_s": resumed, "save_s": save, "save_next_s": save_next,
                "entities": entities, "peak_kib": peak}


_CHILD = """
import sys, time
from datetime import UTC, datetime, timedelta
import sqlalchemy as sa
from commands.service import CommandService
from eventstore import EventStore
url, command_id = sys.argv[1], sys.argv[2]
with EventStore.open(url) as probe:
    last = probe.head().recorded_at
offset = max(timedelta(0), last - datetime.now(UTC)) + timedelta(seconds=1)
with EventStore.open(url, clock=lambda: datetime.now(UTC) + offset) as store:
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda *args: statements.append(1))
    started = time.perf_counter()
    outcome = CommandService(store).submit({"command": "GrantRole", "id": command_id,
        "actor": "bench.admin", "data": {"actor": "reader." + command_id, "role": "auditor"}})
    took = time.perf_counter() - started
assert outcome.accepted, outcome.describe()
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(took, status, len(statements))
"""
"""One submit in a new process, from the checkpoint there is: its time and peak RSS (KiB,
VmHWM: `getrusage` would count the parent's size at the fork)."""


def in_processes(url: str, repeat: int) -> tuple[float, float, float]:
    """Medians of a submit in a new process: its time (imports not counted), the process's
    peak RSS (MiB) and the SQL statements the submit sent."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", _CHILD, url, f"bench-{time.time_ns()}"],
                              capture_output=True, text=True, check=True)
        took, rss, statements = done.stdout.split()
        runs.append((float(took), int(rss) / 1024, int(statements)))
    return (statistics.median(run[0] for run in runs),
            statistics.median(run[1] for run in runs),
            statistics.median(run[2] for run in runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fold-up-to", type=int, default=200_000,
                        help="time the whole-log fold only for logs up to this many events")
    parser.add_argument("--tail", type=int, default=0,
                        help="commands recorded after the checkpoint before timing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", action="store_true",
                        help="only time a submit in new processes, from the checkpoints "
                             "an earlier run left")
    args = parser.parse_args()
    bench = _projections_bench()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.processes:
        print("| events | submit in a new process (s) | ratio to the first size | "
              "peak RSS (MiB) | SQL statements |")
        print("|---:|---:|---:|---:|---:|")
        base: float | None = None
        for size in (int(text) for text in args.sizes.split(",")):
            url, exists = bench.sqlite_url(args.workdir, size, args.seed)
            if not exists:
                raise SystemExit(f"no log of {size} events: run without --processes first")
            took, rss, statements = in_processes(url, args.repeat)
            base = base or took
            print(f"| {size:,} | {took:.3f} | {took / base:.2f} | {rss:.0f} | "
                  f"{statements:.0f} |", flush=True)
        return 0
    print("| events | submit, whole log folded (s) | submit from a checkpoint (s) | "
          "ratio to the first size | its peak allocation (KiB) | "
          "whole fold, no submit (s) | save the first checkpoint (s) | "
          "save the next (s) | entity rows |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    first: float | None = None
    for size in (int(text) for text in args.sizes.split(",")):
        url, exists = bench.sqlite_url(args.workdir, size, args.seed)
        if not exists:
            bench.fill(url, size, args.seed, lambda written: None)
        row = measure(url, size, args.repeat, args.fold_up_to, args.tail)
        first = first or row["checkpoint_s"]
        fold = "-" if row["fold_s"] is None else f"{row['fold_s']:.3f}"
        print(f"| {row['events']:,} | {fold} | {row['checkpoint_s']:.3f} | "
              f"{row['checkpoint_s'] / first:.2f} | {row['peak_kib']:,.0f} | "
              f"{row['folded_s']:.3f} | {row['save_s']:.3f} | {row['save_next_s']:.3f} | "
              f"{row['entities']:,} |", flush=True)
    print(f"(SQLite; medians of {args.repeat}; {sys.executable})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
