"""An acknowledged commit is on disk: SQLite syncs its write-ahead log at every commit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eventstore import EventStore
from eventstore.reader import read_connection

FULL = 2  # what PRAGMA synchronous reports for FULL (NORMAL is 1)
COMMITS = 20
TWENTY_COMMITS = f"""
import sys
from eventstore import EventStore, NewEvent
with EventStore.open(sys.argv[1]) as store:
    for n in range({COMMITS}):
        store.append("a-1", [NewEvent("T", {{"n": n}})])
"""


def test_sqlite_readers_and_writers_sync_every_commit(sqlite_url: str) -> None:
    """Both kinds of connection the store opens run with synchronous = FULL."""
    with EventStore.open(sqlite_url, create=True) as store:
        with store.engine.begin() as writing:
            assert writing.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
        with read_connection(store.engine) as reading:
            assert reading.exec_driver_sql("PRAGMA synchronous").scalar() == FULL


def test_twenty_commits_make_at_least_twenty_syncs(sqlite_url: str, tmp_path: Path) -> None:
    """Counted by strace in a child process: one fsync or fdatasync per commit at least."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (.ci/run installs it)")
    with EventStore.open(sqlite_url, create=True):
        pass  # the migrations' own syncs are not counted
    summary = tmp_path / "strace.txt"
    run = subprocess.run(
        [strace, "-f", "-c", "-o", str(summary), "-e", "trace=fsync,fdatasync",
         sys.executable, "-c", TWENTY_COMMITS, sqlite_url],
        capture_output=True, text=True, check=False,
    )
    if run.returncode != 0 and "ptrace" in run.stderr:
        pytest.skip(f"strace cannot trace here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    calls = sum(int(count) for count in re.findall(
        r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$",
        summary.read_text(), re.MULTILINE))
    assert calls >= COMMITS, summary.read_text()
