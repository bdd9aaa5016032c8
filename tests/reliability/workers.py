"""The processes the reliability checks start: writers, a tailing reader, the projection
runner, the scheduler.

Each is a module-level function taking only picklable values (URLs, paths, numbers and
multiprocessing primitives); each opens its own store. A writer appends a line to its
file only after the store or the service has answered, so the file holds exactly what
was acknowledged to it.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from datetime import timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any, TextIO

import opslog.scheduler.process as process_module
from commands.service import CommandService
from eventstore import EventStore
from opslog.cli import main
from projections.readmodels.runner import Runner
from tests.reliability.plan import ADMIN
from tests.reliability.workload import crash_command, crash_commit, crash_step, writer_command


def _line(file: TextIO, value: dict[str, Any]) -> None:
    file.write(json.dumps(value) + "\n")
    file.flush()


def write_commands(url: str, worker: int, count: int, out: str, start: Event) -> None:
    """Submit this writer's `count` commands, writing each answer after it arrives."""
    store = EventStore.open(url)
    service = CommandService(store)
    service.catch_up()
    start.wait(60)
    with Path(out).open("a", encoding="utf-8") as file:
        for index in range(count):
            kind, command = writer_command(worker, index)
            outcome = service.submit(command)
            _line(file, {"index": index, "kind": kind, "id": command["id"],
                         "status": outcome.status.value, "first": outcome.first_position,
                         "last": outcome.last_position, "types": list(outcome.event_types),
                         "attempts": outcome.attempts, "field": outcome.field})
    store.close()


def follow_log(url: str, out: str, target: Synchronized, ready: Event) -> None:  # type: ignore[type-arg]
    """Follow the log with `subscribe()` until `target` (set by the test) is reached.

    Writes every position it was handed, in the order it was handed them, then ``end``.
    """
    store = EventStore.open(url)
    subscription = store.subscribe(1, poll_interval=0.002)

    def watch() -> None:
        while not subscription.closed:
            wanted = target.value
            if wanted and subscription.position >= wanted:
                subscription.close()
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ready.set()
    with Path(out).open("w", encoding="utf-8") as file:
        for event in subscription:
            file.write(f"{event.position}\n")
        file.write("end\n")
    store.close()


def crash_writer(url: str, first: int, stride: int, out: str, ready: Event, go: Event) -> None:
    """Steps `first`, `first + stride`, …: multi-stream commits and commands, until killed.

    Before each step it writes ``begin``; after the store answers, ``ack`` with the
    result. A kill between the two leaves a step whose fate the test must find out.
    """
    store = EventStore.open(url)
    service = CommandService(store)
    service.catch_up()
    store.head()  # a connection in the pool before the clock starts
    with Path(out).open("a", encoding="utf-8") as file:
        ready.set()
        go.wait(60)
        for index in itertools.count(first, stride):
            kind = crash_step(index)
            _line(file, {"begin": index, "kind": kind})
            if kind == "commit":
                key, batches = crash_commit(index)
                result = store.append_many(batches, idempotency_key=key)
                _line(file, {"ack": index, "first": result.first_position,
                             "last": result.last_position, "replayed": result.replayed})
            else:
                outcome = service.submit(crash_command(index))
                assert outcome.accepted, outcome.describe()
                _line(file, {"ack": index, "first": outcome.first_position,
                             "last": outcome.last_position, "status": outcome.status.value})
    store.close()


def catch_up(url: str, batch_size: int, ready: Event) -> None:
    """Run the projection runner's catch-up in small batches, until done or killed."""
    store = EventStore.open(url)
    store.head()
    ready.set()
    Runner(store, batch_size=batch_size).catch_up()
    store.close()


def scheduler(url: str, log: str, lease_seconds: float, ready: Event, go: Event) -> None:
    """``opslog scheduler run`` in this process, its log going to `log`.

    The lease's time to live and renewal are shortened so that, on SQLite, a killed
    scheduler's lease lapses in seconds rather than a minute; nothing else is changed.
    """
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(descriptor, 2)
    process_module.LEASE_TTL = timedelta(seconds=lease_seconds)
    process_module.RENEW_SECONDS = lease_seconds / 4
    ready.set()
    go.wait(60)
    main(["--db", url, "scheduler", "run", "--catch-up-seconds", "0.5", "--actor", ADMIN],
         prog_name="opslog")
