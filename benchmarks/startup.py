"""Start-up time of the CLI: `opslog --help` and `opslog status` on a small database.

Not a test. Makes the sample database in a temporary folder (`opslog demo --no-report`,
then `opslog projections catch-up`, so `status` answers from caught-up read models), then
runs each command N times as a child process and prints the median wall time of each
against the target of 0.3 s, and the median CPU time (user + system) of the child, which a
busy shared machine inflates less than the wall clock. Medians, since a busy machine adds
long outliers.

With ``--before DIR`` (a copy of the source tree of another commit, e.g. ``git archive
4411d06 | tar -x -C DIR``) every run is paired with one of the same command importing the
code from DIR instead (put first on ``PYTHONPATH``), alternating, so both sides meet the
same load; the ratio is after / before.

Run from the repository root::

    .venv/bin/python benchmarks/startup.py            # 10 runs of each
    .venv/bin/python benchmarks/startup.py --runs 20 --before /tmp/before

For where the time goes: ``python -X importtime .venv/bin/opslog --db URL status`` (the
imports), ``tests/cli/test_startup.py`` for which modules `status` must not import.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3
OPSLOG = Path(sys.executable).with_name("opslog")


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(args: list[str], cwd: Path, code: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one `opslog` run (importing from `code` if given); it must
    exit 0."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run([str(OPSLOG), *args], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command")
    parser.add_argument("--before", type=Path, default=None, metavar="DIR",
                        help="a source tree of another commit to compare with")
    options = parser.parse_args()
    runs, before = options.runs, options.before
    print(f"load average at start: {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        db = f"sqlite:///{cwd / 'demo.db'}"
        _run(["--db", db, "demo", "--no-report"], cwd)
        _run(["--db", db, "projections", "catch-up"], cwd)
        commands = {
            "opslog --help": ["--help"],
            "opslog status --quarter 2018-19-Q1": ["--db", db, "status", "--quarter",
                                                   "2018-19-Q1"],
        }
        header = f"{'command':<36} {'wall s':>7} {'cpu s':>6} {'target s':>8}  met"
        if before is not None:
            header += f"  {'before wall':>11} {'before cpu':>10} {'wall ratio':>10}"
        print(header)
        for label, args in commands.items():
            _run(args, cwd)  # warm the file cache and the bytecode
            after_runs: list[tuple[float, float]] = []
            before_runs: list[tuple[float, float]] = []
            if before is not None:
                _run(args, cwd, before)
            for _ in range(runs):
                after_runs.append(_run(args, cwd))
                if before is not None:
                    before_runs.append(_run(args, cwd, before))
            wall = statistics.median(run[0] for run in after_runs)
            cpu = statistics.median(run[1] for run in after_runs)
            met = "yes" if wall < TARGET_SECONDS else "no"
            line = f"{label:<36} {wall:>7.3f} {cpu:>6.3f} {TARGET_SECONDS:>8.1f}  {met:<3}"
            if before_runs:
                old_wall = statistics.median(run[0] for run in before_runs)
                old_cpu = statistics.median(run[1] for run in before_runs)
                line += f"  {old_wall:>11.3f} {old_cpu:>10.3f} {wall / old_wall:>10.2f}"
            print(line)
    print(f"({runs} runs each, {sys.executable}; load average at end: {_load()})")


if __name__ == "__main__":
    main()
