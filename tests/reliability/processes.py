"""Starting worker processes: fresh interpreters with the project already imported.

The ``forkserver`` context forks each worker from a clean server process that has
imported the workers module (and with it SQLAlchemy, the store and the command layer)
but holds no connection and no thread of the test's. A worker therefore starts in
milliseconds instead of the half second an interpreter takes to import everything,
which is what lets the crash checks kill dozens of writers in a few seconds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

WORKERS_MODULE = "tests.reliability.workers"


def context() -> multiprocessing.context.ForkServerContext:
    found = multiprocessing.get_context("forkserver")
    found.set_forkserver_preload([WORKERS_MODULE])
    return found


def start(target: Callable[..., Any], *args: object) -> multiprocessing.process.BaseProcess:
    """Run `target(*args)` in a fresh worker process."""
    process = context().Process(target=target, args=args, daemon=True)
    process.start()
    return process


def kill(process: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL: no handler, no cleanup, no goodbye to the database."""
    assert process.pid is not None
    with contextlib.suppress(ProcessLookupError):  # it had already ended
        os.kill(process.pid, signal.SIGKILL)
    process.join(30)


def join_all(processes: Sequence[multiprocessing.process.BaseProcess], timeout: float) -> None:
    """Wait for every process; fail naming any that crashed or did not finish in time."""
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    late = [process.name for process in processes if process.is_alive()]
    for process in processes:
        if process.is_alive():
            kill(process)
    assert not late, f"workers still running after {timeout}s: {late}"
    failed = {process.name: process.exitcode for process in processes if process.exitcode}
    assert not failed, f"workers failed (exit codes): {failed}"
