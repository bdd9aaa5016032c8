"""Start-up time of the CLI: `opslog --help` and `opslog status` on a small database.

Not a test. Makes the sample database in a temporary folder (`opslog demo --no-report`,
then `opslog projections catch-up`, so `status` answers from caught-up read models), then
runs each command N times as a child process and prints the median wall time of each
against the target of 0.3 s. Medians, since a busy machine adds long outliers.

Run from the repository root::

    .venv/bin/python benchmarks/startup.py            # 10 runs of each
    .venv/bin/python benchmarks/startup.py --runs 20

For where the time goes: ``python -X importtime -c "import opslog.cli"``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.3
OPSLOG = Path(sys.executable).with_name("opslog")


def _run(args: list[str], cwd: Path) -> float:
    """Seconds of wall time for one `opslog` run; it must exit 0."""
    started = time.perf_counter()
    subprocess.run([str(OPSLOG), *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command")
    runs = parser.parse_args().runs
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
        print(f"{'command':<36} {'median s':>9} {'target s':>9}  met")
        for label, args in commands.items():
            _run(args, cwd)  # warm the file cache and the bytecode
            median = statistics.median(_run(args, cwd) for _ in range(runs))
            met = "yes" if median < TARGET_SECONDS else "no"
            print(f"{label:<36} {median:>9.3f} {TARGET_SECONDS:>9.1f}  {met}")
    print(f"({runs} runs each, {sys.executable})")


if __name__ == "__main__":
    main()
