"""The Merkle tree's cost and the speed of checkpoints and proofs.

Not a test. For each backend:

* **appends with the tree vs without, in the same run**: the same appends (one event per
  commit, and 100 per commit) timed in alternating rounds with the tree maintained as
  usual and with `eventstore.tree.append_leaves` switched off (the event hashes are
  computed the same way), into two fresh logs; the ratio is the median over round pairs
  of with / without (target ≥ 0.9);
* **a checkpoint of a large log**: `--leaves` small events are written straight into
  `events` and the tree built from them (the tree's shape and the reads are those of a
  real log of that size, and appending a million events would only time the appends), then
  `checkpoints.record_checkpoint` (root from the stored subtrees, Ed25519 signature, one
  row) is timed (target < 50 ms);
* **proofs**: inclusion and consistency proofs at random sizes and indexes up to the
  head, each on a connection from the pool and from one query of the stored subtrees
  (target < 10 ms);
* **memory**: the peak of Python's allocations (tracemalloc) while making a checkpoint
  and 100 proofs, on a tree of `--leaves` / 10 and of `--leaves` leaves: the same for both
  (flat in the log's length).

Run from the repository root::

    .venv/bin/python benchmarks/transparency.py                        # SQLite, 1,000,000 leaves
    .venv/bin/python benchmarks/transparency.py --leaves 20000 --appends 300   # a quick look
    .venv/bin/python benchmarks/transparency.py --backends sqlite,postgresql

PostgreSQL is read from ``--postgres-url`` (default ``$OPSLOG_TEST_DATABASE_URL``); each
database gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eventstore import EventStore, NewEvent, tree
from eventstore.checkpoints import record_checkpoint
from eventstore.engine import normalise_url
from eventstore.tables import events
from eventstore.transparency.note import Signer
from eventstore.tree import consistency_between, inclusion_at

KEY = Signer.from_seed("opslog.example/benchmark", bytes(range(32)))
ROUNDS = 20
"""Alternating rounds per comparison: the disk's fsync time on a shared machine varies more
between seconds than the tree costs, so each round pair gives a ratio and the median is kept."""
PROOFS = 200
BUILD_BATCH = 20_000


@contextmanager
def database(backend: str, postgres_url: str | None, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL on `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    if not postgres_url:
        raise SystemExit("--postgres-url (or $OPSLOG_TEST_DATABASE_URL) is needed for postgresql")
    url = normalise_url(postgres_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url.set(query={**url.query, "options": f"-csearch_path={schema}"}
                      ).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@contextmanager
def tree_switched_off() -> Iterator[None]:
    """Appends that skip the tree's rows (and only them)."""
    original = tree.append_leaves

    def skip(*_args: Any, **_kwargs: Any) -> None:
        return None

    tree.append_leaves = skip  # type: ignore[assignment]
    try:
        yield
    finally:
        tree.append_leaves = original  # type: ignore[assignment]


def _events(count: int, start: int) -> list[NewEvent]:
    return [NewEvent("Reported", {"n": start + n, "text": "update on the estate, £250m " * 4},
                     {"actor": "benchmark"}) for n in range(count)]


def appends(backend: str, postgres_url: str | None, folder: Path, total: int,
            per_commit: int) -> dict[str, float]:
    """Events per second with and without the tree, alternating rounds, and the ratio."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    with database(backend, postgres_url, folder) as with_url, \
            database(backend, postgres_url, folder) as without_url:
        stores = {True: EventStore.open(with_url, create=True),
                  False: EventStore.open(without_url, create=True)}
        per_round = max(total // ROUNDS, per_commit)
        written = {True: 0, False: 0}
        try:
            for round_number in range(ROUNDS):
                for with_tree in (True, False) if round_number % 2 else (False, True):
                    store = stores[with_tree]
                    batches = [_events(per_commit, written[with_tree] + n * per_commit)
                               for n in range(per_round // per_commit)]
                    started = time.perf_counter()
                    if with_tree:
                        for n, batch in enumerate(batches):
                            store.append(f"stream-{n % 50}", batch)
                    else:
                        with tree_switched_off():
                            for n, batch in enumerate(batches):
                                store.append(f"stream-{n % 50}", batch)
                    elapsed = time.perf_counter() - started
                    count = len(batches) * per_commit
                    written[with_tree] += count
                    rates[with_tree].append(count / elapsed)
        finally:
            for store in stores.values():
                store.close()
    with_rate = statistics.median(rates[True])
    without_rate = statistics.median(rates[False])
    ratio = statistics.median(w / wo for w, wo in zip(rates[True], rates[False], strict=True))
    return {"with": with_rate, "without": without_rate, "ratio": ratio}


def build_log_directly(url: str, leaves: int) -> None:
    """A log of `leaves` small events written straight into `events` (not a chain that
    verifies: appending a million events would only time the appends), then its tree
    built from them as an import builds it (`tree.build_tree`)."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with EventStore.open(url, create=True) as store, store.engine.begin() as connection:
        for first in range(1, leaves + 1, BUILD_BATCH):
            connection.execute(events.insert(), [
                {"position": p, "event_id": str(uuid.UUID(int=p)), "stream_id": f"bench-{p % 1000}",
                 "category": "bench", "version": p // 1000 + 1, "type": "Reported",
                 "schema_version": 1, "data": f'{{"n":{p}}}', "metadata": "{}",
                 "occurred_at": moment, "recorded_at": moment, "envelope": 1,
                 "prev_hash": "0" * 64, "hash": "0" * 64}
                for p in range(first, min(first + BUILD_BATCH, leaves + 1))])
        tree.build_tree(connection, BUILD_BATCH)
        if store.dialect == "postgresql":
            connection.exec_driver_sql("ANALYZE events")
            connection.exec_driver_sql("ANALYZE tree_hashes")


def timed(run: Callable[[], object], times: int) -> tuple[float, float]:
    """Median and worst milliseconds of `times` runs."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), max(spent)


def reads(url: str, leaves: int) -> dict[str, float]:
    """Checkpoint and proof times on a tree of `leaves`, and the traced memory peak."""
    rng = random.Random(2)
    with EventStore.open(url) as store:
        def checkpoint() -> None:
            with store.engine.begin() as writing:
                record_checkpoint(writing, KEY, KEY.name, leaves)

        def inclusion() -> None:
            size = rng.randint(leaves // 2, leaves)
            with store.reading() as connection:
                inclusion_at(connection, rng.randrange(size), size)

        def consistency() -> None:
            size = rng.randint(leaves // 2, leaves)
            with store.reading() as connection:
                consistency_between(connection, rng.randint(1, size), size)

        checkpoint()  # warm the connection and the caches once
        results: dict[str, float] = {}
        results["checkpoint"], results["checkpoint_max"] = timed(checkpoint, 20)
        results["inclusion"], results["inclusion_max"] = timed(inclusion, PROOFS)
        results["consistency"], results["consistency_max"] = timed(consistency, PROOFS)
        tracemalloc.start()
        checkpoint()
        for _ in range(50):
            inclusion()
            consistency()
        results["peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=3_000,
                        help="events per log for the one-event-per-commit comparison")
    parser.add_argument("--only", choices=("appends", "reads"), default=None,
                        help="run one half of the benchmark")
    parser.add_argument("--postgres-url", default=os.environ.get("OPSLOG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cpus, sqlalchemy {sa.__version__}")
    print("| backend | operation | with tree | without | ratio | target | met |")
    print("|---|---|---:|---:|---:|---|---|")
    size_rows = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for backend in args.backends.split(","):
            for per_commit, total in ((1, args.appends), (100, args.appends * 10)):
                if args.only == "reads":
                    break
                result = appends(backend, args.postgres_url, folder, total, per_commit)
                print(f"| {backend} | append_{per_commit} (events/s) | {result['with']:,.0f} | "
                      f"{result['without']:,.0f} | {result['ratio']:.2f} | ≥ 0.9 | "
                      f"{'yes' if result['ratio'] >= 0.9 else 'no'} |", flush=True)
            for leaves in (args.leaves // 10, args.leaves):
                if args.only == "appends":
                    break
                with database(backend, args.postgres_url, folder) as url:
                    started = time.perf_counter()
                    build_log_directly(url, leaves)
                    built = time.perf_counter() - started
                    size_rows.append((backend, leaves, built, reads(url, leaves)))
    print()
    print("| backend | leaves | checkpoint ms (median / worst) | inclusion ms | consistency ms "
          "| traced peak KiB | targets met |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for backend, leaves, built, r in size_rows:
        met = r["checkpoint"] < 50 and r["inclusion"] < 10 and r["consistency"] < 10
        print(f"| {backend} | {leaves:,} | {r['checkpoint']:.2f} / {r['checkpoint_max']:.2f} | "
              f"{r['inclusion']:.2f} / {r['inclusion_max']:.2f} | "
              f"{r['consistency']:.2f} / {r['consistency_max']:.2f} | {r['peak_kib']:,.0f} | "
              f"{'yes' if met else 'no'} |  (tree built in {built:.1f} s)")


if __name__ == "__main__":
    main()
