"""Reading verbs on a long log: what `status`, `report`, `history` and `log` cost, and the
memory they peak at, with the read models 0, 1,000 and 10,000 events behind the log.

Not a test. Each figure is one process of its own (a child of this script), timed from
outside and, for the questions below, also inside (its own work, without start-up), with
its own peak resident memory (``VmHWM``, read by the child: ``ru_maxrss`` would include
what the child inherits from this process). `opslog status` and the ``board`` and
``report`` questions first bring the read models up to the log, so every repetition runs
on a fresh copy of a database whose read models stand exactly that far behind:

* ``opslog status``  the command line, whole (start-up included);
* ``board``, ``report``  `query.board` / `query.report` as the command line asks them
                     (``catch_up=True``), without rendering;
* ``tail, standby``  the board from read models N behind without catching them up (what a
                     hot standby, which takes no writes, answers): the tail folded in memory;
* ``fold from 1``    the board as answered before, when no read models covered it: the
                     whole log folded in memory (`query.board` on the log alone);
* ``never built``    `opslog status` on the log alone: builds the read models once (says so).

"Flat" means the same peak memory at three times the log. The logs are those of
`benchmarks/projections.py` (same generator, same files in ``--workdir``); SQLite only.

Run from the repository root::

    .venv/bin/python benchmarks/reads.py --sizes 100000,300000 --workdir /tmp/opslog-bench \\
        --markdown out/reads.md
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]  # benchmarks/commands.py would hide the `commands` package

import argparse
import importlib.util
import json
import os
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from catalogue import Quarter
from eventstore import EventStore
from opslog.database import initialise
from projections import query
from projections.fold.cutoff import Cutoff
from projections.readmodels.runner import Runner

BEHIND = (0, 1_000, 10_000)
REPEAT = 3


def _bench_projections() -> ModuleType:
    """benchmarks/projections.py, for its generated logs."""
    spec = importlib.util.spec_from_file_location(
        "bench_projections", Path(__file__).resolve().parent / "projections.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_projections"] = module
    spec.loader.exec_module(module)
    return module


# -- databases ---------------------------------------------------------------------------


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API, WAL included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def behind_copies(log: Path, workdir: Path, size: int, seed: int) -> dict[int, Path]:
    """For each distance in `BEHIND`, a database holding the log with its read models that
    many events short of the head (made once, kept in `workdir`)."""
    found: dict[int, Path] = {}
    with EventStore.open(_url(log)) as store:
        head = store.head().position
    previous: Path | None = None
    for distance in sorted(BEHIND, reverse=True):
        path = workdir / f"reads-{size}-{seed}-behind-{distance}.db"
        if not path.exists():
            _copy(previous or log, path)
            with EventStore.open(_url(path)) as store:
                initialise(store)
                Runner(store).catch_up(to_position=head - distance)
        found[distance] = previous = path
    return found


# -- one process, timed from outside -----------------------------------------------------


def run_timed(argv: Sequence[str]) -> tuple[float, float, float | None, str]:
    """Run `argv`, a child of this script: its wall time (s), its own peak memory (MiB),
    the time it gives for its own work (s; None for the whole command line) and its
    standard error."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read().decode("utf-8", "replace")
    err = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {err}")
    del out, usage
    mark = [line for line in err.splitlines() if line.startswith(MARK)]
    if not mark:
        raise SystemExit(f"{' '.join(argv)} gave no figures: {err}")
    figures = json.loads(mark[-1].removeprefix(MARK))
    work = None if argv[3] == "cli" else float(figures["s"])
    return wall, float(figures["mib"]), work, err


def repeated(make: Any, repeat: int = REPEAT) -> dict[str, Any]:
    """Median wall time, median own-work time (children of this script), and the highest
    peak memory of `repeat` runs of ``make()``'s argv."""
    runs = [run_timed(make()) for _ in range(repeat)]
    works = [run[2] for run in runs if run[2] is not None]
    return {"s": statistics.median(run[0] for run in runs),
            "work_s": statistics.median(works) if works else None,
            "mib": max(run[1] for run in runs),
            "stderr": runs[-1][3].strip().splitlines()[:2]}


def cli(path: Path, *args: str) -> list[str]:
    """`opslog` on the database at `path` (in a child of this script, which measures it)."""
    return [sys.executable, __file__, "--child", "cli", str(path), "-", *args]


def child(mode: str, path: Path, quarter: Quarter) -> list[str]:
    return [sys.executable, __file__, "--child", mode, str(path), str(quarter)]


def peak_mib() -> float:
    """This process's own peak resident memory (``VmHWM``: the high-water mark of its
    memory since its exec, unlike ``ru_maxrss``, which a child inherits from its parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status")


def run_child(mode: str, path: str, quarter_text: str, *args: str) -> int:
    """In a process of its own, timed inside: ``board`` and ``report`` as `opslog status`
    and `opslog report` ask them (catching the read models up first), without rendering;
    ``tail`` the board without catching up (read models behind: the tail folded in memory);
    ``fold`` the same on the log alone (no read models: a fold from position 1); ``cli``
    the `opslog` command line with `args`, its output discarded. Its last line on standard
    error is its own time and peak memory."""
    started = time.perf_counter()
    if mode == "cli":
        from opslog.cli import main as opslog

        with open(os.devnull, "w") as sink:
            saved, sys.stdout = sys.stdout, sink
            try:
                opslog.main(["--db", _url(Path(path)), *args], standalone_mode=False)
            finally:
                sys.stdout = saved
    else:
        quarter = Quarter.parse(quarter_text)
        with EventStore.open(_url(Path(path))) as store:
            started = time.perf_counter()
            if mode == "report":
                query.report(store, quarter, Cutoff(), catch_up=True)
            else:
                assert mode in ("board", "tail", "fold")
                query.board(store, quarter, Cutoff(), catch_up=mode == "board")
    work = time.perf_counter() - started
    print(MARK + json.dumps({"s": work, "mib": peak_mib()}), file=sys.stderr)
    return 0


MARK = "reads-child: "


# -- measuring ---------------------------------------------------------------------------


def measure(bench: ModuleType, workdir: Path, size: int, seed: int,
            never_built: bool) -> dict[str, Any]:
    url, exists = bench.sqlite_url(workdir, size, seed)
    bench.prepared(url, size, seed, exists)
    log = Path(url.removeprefix("sqlite:///"))
    copies = behind_copies(log, workdir, size, seed)
    with EventStore.open(_url(log)) as store:
        head = store.head()
        assert head.recorded_at is not None
        quarter = Quarter.at(head.recorded_at).previous()
        stream = next(event.stream_id for event in store.read_all(
            from_position=head.position // 2, limit=2_000) if event.stream_id.startswith(
                "milestone-"))
    work = workdir / f"reads-{size}-{seed}-work.db"

    def fresh(make_argv: Any, source: Path) -> Any:
        def make() -> list[str]:
            _copy(source, work)
            return list(make_argv(work))
        return make

    status = ("status", "--quarter", str(quarter), "--format", "json")
    result: dict[str, Any] = {"events": size, "quarter": str(quarter), "stream": stream,
                              "behind": {}}
    for distance, path in sorted(copies.items()):
        print(f"  {size:,} events, read models {distance:,} behind", file=sys.stderr)
        result["behind"][distance] = {
            "opslog status": repeated(fresh(lambda at: cli(at, *status), path)),
            "board": repeated(fresh(lambda at: child("board", at, quarter), path)),
            "report": repeated(fresh(lambda at: child("report", at, quarter), path)),
            "tail, standby": repeated(lambda path=path: child("tail", path, quarter)),
        }
    caught_up = copies[0]
    print(f"  {size:,} events: history, log", file=sys.stderr)
    result["history"] = repeated(lambda: cli(caught_up, "history", stream))
    result["log 100"] = repeated(lambda: cli(caught_up, "log", "--reverse", "-n", "100"))
    result["log"] = repeated(lambda: cli(caught_up, "log", "--format", "jsonl"), repeat=1)
    print(f"  {size:,} events: fold from 1", file=sys.stderr)
    result["fold from 1"] = repeated(lambda: child("fold", log, quarter), repeat=1)
    if never_built:
        print(f"  {size:,} events: never built", file=sys.stderr)
        result["never built"] = repeated(fresh(lambda at: cli(at, *status), log), repeat=1)
    return result


VERBS = ("opslog status", "board", "report", "tail, standby")


def _cell(figures: dict[str, Any]) -> str:
    work = figures["work_s"]
    own = f"{work:.3f}" if work is not None else f"({figures['s']:.2f} whole)"
    return f"{own} | {figures['mib']:.0f}"


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = ["| events | behind | opslog status s (whole) | MiB | board s | MiB | report s | MiB "
             "| tail, standby s | MiB |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for result in results:
        for distance, figures in sorted(result["behind"].items()):
            cells = [_cell(figures[verb]) for verb in VERBS]
            lines.append(f"| {result['events']:,} | {distance:,} | {' | '.join(cells)} |")
    lines += ["", "| events | history s | MiB | log -n 100 s | MiB | log (all, jsonl) s | MiB "
              "| fold from 1 s | MiB | never built s | MiB |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for result in results:
        built = result.get("never built")
        cells = [f"{result[verb]['s']:.2f} | {result[verb]['mib']:.0f}"
                 for verb in ("history", "log 100", "log")]
        cells.append(_cell(result["fold from 1"]))
        cells.append(f"{built['s']:.1f} | {built['mib']:.0f}" if built else "not run | ")
        lines.append(f"| {result['events']:,} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _time(figures: dict[str, Any]) -> float:
    return float(figures["work_s"] if figures["work_s"] is not None else figures["s"])


def ratios(results: Sequence[dict[str, Any]]) -> list[str]:
    """Largest log against smallest: time (own work where measured) and peak memory."""
    if len(results) < 2:
        return []
    small, large = results[0], results[-1]
    factor = large["events"] / small["events"]
    found = [f"log {factor:.0f}x larger ({small['events']:,} -> {large['events']:,} events):"]
    for distance in sorted(large["behind"]):
        for verb in VERBS:
            a, b = small["behind"][distance][verb], large["behind"][distance][verb]
            found.append(f"  {verb}, {distance:,} behind: time {_time(b) / _time(a):.2f}x, "
                         f"peak memory {b['mib'] / a['mib']:.2f}x")
    for verb in ("history", "log 100", "log", "fold from 1"):
        a, b = small[verb], large[verb]
        found.append(f"  {verb}: time {_time(b) / _time(a):.2f}x, peak memory "
                     f"{b['mib'] / a['mib']:.2f}x")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100000,300000", help="log sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--no-never-built", action="store_true",
                        help="skip building the read models from nothing (a rebuild)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the tables here")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    bench = _bench_projections()
    started, load = time.perf_counter(), os.getloadavg()
    results = []
    for size in (int(text) for text in args.sizes.split(",")):
        print(f"sqlite, {size:,} events", file=sys.stderr)
        result = measure(bench, args.workdir, size, args.seed, not args.no_never_built)
        print(json.dumps(result), file=sys.stderr)
        results.append(result)
    text = "\n".join([table(results), "", *ratios(results), "",
                      f"load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f} (2 cores), "
                      f"{time.perf_counter() - started:.0f} s"])
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(run_child(*sys.argv[2:]))
    sys.exit(main())
