"""Auditors' questions on a long log: `diff` between two cut-offs and a quarter's later
snapshot, against the fold from position 1 each of them used to make.

Not a test. For each log size (the generated logs of `benchmarks/projections.py`, SQLite,
read models caught up to the head) and a closed quarter from the middle of the log:

* ``diff``             `diff_quarter` for the quarter from its close to DISTANCE events
                       later: both reports and the cause of every change (s);
* ``fold to later``    `fold(read_all(to_position=later))`: what the diff's cause steps
                       folded before they started from the read models (s);
* ``first snapshot``   `take_snapshot` at the quarter's close, none of it stored yet: a
                       fold from position 1, as before (s);
* ``later snapshot``   `take_snapshot` DISTANCE events later, continuing from the first (s).

Each figure is the median of REPEAT runs; snapshots are taken on a fresh copy of the
database each time. "Does not grow" means the same time at three times the log. With
``--check``, each diff is also compared, once and untimed, with the one whose cause steps
are two whole reports folded from the log (`tests/cli/whole_reports.py`; minutes on the
larger log).

Run from the repository root::

    .venv/bin/python benchmarks/audit_reads.py --sizes 20000,60000 --workdir /tmp/opslog-bench
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]  # benchmarks/commands.py would hide the `commands` package

import argparse
import importlib.util
import os
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from catalogue import Quarter
from eventstore import EventStore
from opslog.database import initialise
from projections.audit.diff import QuarterDiff, diff_quarter
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.readmodels.runner import Runner
from projections.snapshots.taking import Maker, Taken, take_snapshot

DISTANCE = 2_000
REPEAT = 3


def _sibling(name: str) -> ModuleType:
    """Another script of this folder, as a module (the folder itself is off the path)."""
    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", Path(__file__).resolve().parent / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"bench_{name}"] = module
    spec.loader.exec_module(module)
    return module


reads = _sibling("reads")
"""benchmarks/reads.py: its copies of SQLite databases and the generated logs it uses."""


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def prepared(bench: ModuleType, workdir: Path, size: int, seed: int) -> Path:
    """The generated log with its read models at the head (made once, kept in `workdir`)."""
    path = workdir / f"audit-{size}-{seed}.db"
    if path.exists():
        return path
    log = workdir / f"projections-{size}-{seed}.db"
    if not log.exists():
        bench.fill(reads._url(log), size, seed, lambda written: None)
    reads._copy(log, path)
    with EventStore.open(reads._url(path)) as store:
        initialise(store)
        Runner(store).catch_up()
    return path


def middle_quarter(store: EventStore, distance: int) -> tuple[Quarter, int, int]:
    """A closed quarter in the middle of the log, its close's position, and the last
    position recorded with the event `distance` later (a commit shares one time)."""
    head = store.head().position
    (middle,) = store.read_all(from_position=head // 2, to_position=head // 2)
    quarter = Quarter.at(middle.recorded_at).previous()
    first = store.position_at(quarter.closes_at)
    (later,) = store.read_all(from_position=min(first + distance, head),
                              to_position=min(first + distance, head))
    return quarter, first, store.position_at(later.recorded_at)


def _take(store: EventStore, quarter: Quarter, cutoff_at: datetime) -> Taken:
    return take_snapshot(store, quarter, cutoff_at, Maker("bench", "bench", datetime.now(UTC)))


def same_as_whole_reports(store: EventStore, quarter: Quarter, first: int, later: int,
                          found: QuarterDiff) -> bool:
    """Whether `found` is the diff whose cause steps are two whole reports."""
    from tests.cli.whole_reports import diff_by_whole_reports

    return diff_by_whole_reports(store, quarter, Cutoff(first), Cutoff(later)) == found


def measure(bench: ModuleType, workdir: Path, size: int, seed: int,
            distance: int, check: bool = False) -> dict[str, Any]:
    path = prepared(bench, workdir, size, seed)
    figures: dict[str, Any] = {"events": size}
    with EventStore.open(reads._url(path)) as store:
        quarter, first, later = middle_quarter(store, distance)
        figures.update(quarter=str(quarter), first=first, later=later)
        diffs = [_timed(lambda: diff_quarter(store, quarter, Cutoff(first), Cutoff(later)))
                 for _ in range(REPEAT)]
        found = diffs[0][1]
        assert isinstance(found, QuarterDiff)
        figures["changes"] = len(found.changes)
        figures["diff_s"] = statistics.median(seconds for seconds, _ in diffs)
        if check:
            figures["checked"] = same_as_whole_reports(store, quarter, first, later, found)
        figures["fold_to_later_s"] = statistics.median(
            _timed(lambda: fold(store.read_all(to_position=later)))[0] for _ in range(REPEAT))
        (event,) = store.read_all(from_position=later, to_position=later)
        later_at = event.recorded_at
    first_times: list[float] = []
    later_times: list[float] = []
    copy = workdir / f"audit-{size}-{seed}-copy.db"
    for _ in range(REPEAT):
        reads._copy(path, copy)
        with EventStore.open(reads._url(copy)) as store:
            started = time.perf_counter()
            _take(store, quarter, quarter.closes_at)
            first_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = _take(store, quarter, later_at)
            later_times.append(time.perf_counter() - started)
            assert again.created and again.info.position == later
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    figures["first_snapshot_s"] = statistics.median(first_times)
    figures["later_snapshot_s"] = statistics.median(later_times)
    return figures


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = ["| events | quarter | changes | diff s | fold to later s | first snapshot s "
             "| later snapshot s |", "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['events']:,} | {r['quarter']} | {r['changes']} | {r['diff_s']:.3f} "
                     f"| {r['fold_to_later_s']:.3f} | {r['first_snapshot_s']:.3f} "
                     f"| {r['later_snapshot_s']:.3f} |")
    if len(results) >= 2:
        small, big = results[0], results[-1]
        lines.append("")
        lines.append(f"Ratios {big['events']:,} ÷ {small['events']:,}: " + ", ".join(
            f"{name} {big[key] / small[key]:.2f}×" for name, key in (
                ("diff", "diff_s"), ("fold to later", "fold_to_later_s"),
                ("first snapshot", "first_snapshot_s"), ("later snapshot", "later_snapshot_s"))))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,60000", help="log sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--distance", type=int, default=DISTANCE,
                        help="events between the earlier cut-off and the later one")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--check", action="store_true",
                        help="also compare each diff with whole-report cause steps")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    bench = reads._bench_projections()
    results = []
    for size in (int(text) for text in args.sizes.split(",")):
        print(f"{size:,} events …", file=sys.stderr)
        results.append(measure(bench, args.workdir, size, args.seed, args.distance, args.check))
    print(f"load average {os.getloadavg()[0]:.1f}; {args.distance:,} events between the "
          f"cut-offs; "
          f"medians of {REPEAT}")
    print(table(results))
    for checked in (r for r in results if "checked" in r):
        print(f"{checked['events']:,} events: the diff "
              f"{'equals' if checked['checked'] else 'DIFFERS FROM'} the one whose steps are "
              f"whole reports")
    return 0 if all(r.get("checked", True) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
