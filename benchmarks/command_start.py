"""One command from a fresh `CommandService` on a long log: folding the whole log against
starting from the write model's checkpoint.

Not a test. For each log size (the generated log of `benchmarks/projections.py`, reused
from ``--workdir``), it times a new `CommandService` submitting one command (a role grant
by the log's first admin), which is what every `opslog submit` process does:

* ``fold``: no checkpoint, the whole log folded first (as before checkpoints);
* ``checkpoint``: the newest checkpoint loaded, the few events after it folded.

Medians of ``--repeat`` runs; also the time to save a checkpoint and its size. Run from the
repository root::

    .venv/bin/python benchmarks/command_start.py --sizes 10000,100000 --workdir /tmp/opslog-bench
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
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from commands.identity import direct, make_first_admin
from commands.service import CommandService
from commands.write_model import codec
from commands.write_model.checkpoints import ModelCheckpoints
from commands.write_model.tables import command_model_checkpoints
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


def measure(url: str, size: int, repeat: int) -> dict[str, Any]:
    with EventStore.open(url) as store:
        initialise(store)
        with store.reading() as connection:
            admins = connection.execute(sa.text(
                "SELECT count(*) FROM events WHERE type = 'RoleGranted'")).scalar()
        if not admins:
            make_first_admin(store, ADMIN, direct())
        with store.engine.begin() as connection:
            connection.execute(command_model_checkpoints.delete())
        fold = _seconds(lambda: _submit(store, 10**12), repeat)
        checkpoints = ModelCheckpoints(store)
        service = CommandService(store, checkpoint_every=10**12)
        state = service.catch_up()
        started = time.perf_counter()
        checkpoints.save(state)
        save = time.perf_counter() - started
        body = sum(len(part) for part in codec.dumps(state))
        resumed = _seconds(lambda: _submit(store, 10**12), repeat)
        return {"events": store.head().position, "size": size, "fold_s": fold,
                "checkpoint_s": resumed, "save_s": save, "checkpoint_bytes": body,
                "model_events": len(state.events)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bench = _projections_bench()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("| events | submit, whole log folded (s) | submit from a checkpoint (s) | "
          "speedup | save a checkpoint (s) | checkpoint (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(text) for text in args.sizes.split(",")):
        url, exists = bench.sqlite_url(args.workdir, size, args.seed)
        if not exists:
            bench.fill(url, size, args.seed, lambda written: None)
        row = measure(url, size, args.repeat)
        print(f"| {row['events']:,} | {row['fold_s']:.3f} | {row['checkpoint_s']:.3f} | "
              f"{row['fold_s'] / row['checkpoint_s']:.1f} | {row['save_s']:.3f} | "
              f"{row['checkpoint_bytes'] / 2**20:.1f} |", flush=True)
    print(f"(SQLite; medians of {args.repeat}; {sys.executable})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
