"""SIGKILL at any moment: the stream still holds positions 1..N once each, in order, and a
consumer's tables still equal a fresh fold of the log."""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
from collections.abc import Callable

import pytest

from eventstore import EventStore, NewEvent
from eventstore.engine import create_engine
from relay import NatsRelay, RelaySettings
from relay.consumer import Consumer
from tests.relay.streams import last_sequence, stream_contents
from tests.relay.workers import (
    consume,
    fold_tables,
    fresh_fold,
    prepare_fold,
    relay_command,
    write_events,
)
from tests.reliability import processes

KILLS = [pytest.param(3, id="3-kills"), pytest.param(20, id="20-kills", marks=pytest.mark.slow)]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("kills", KILLS)
def test_a_relay_killed_while_four_writers_append_leaves_exactly_the_log(
        store: EventStore, database_url: str, nats_url: str, stream_name: str,
        subject_prefix: str, kills: int) -> None:
    rng = random.Random(kills)
    start, stop = processes.context().Event(), processes.context().Event()
    writers = [processes.start(write_events, database_url, worker, start, stop)
               for worker in range(4)]
    start.set()
    seen = 0
    try:
        for _ in range(kills):
            relay = subprocess.Popen(relay_command(database_url, nats_url, stream_name,
                                                   subject_prefix),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait(lambda seen=seen, relay=relay: last_sequence(nats_url, stream_name) > seen
                      or relay.poll() is not None, 60, "the relay to publish")
                assert relay.poll() is None, relay.stderr.read().decode() if relay.stderr else ""
                time.sleep(rng.uniform(0, 0.15))
            finally:
                relay.kill()
                relay.wait()
                if relay.stderr:
                    relay.stderr.close()
            seen = last_sequence(nats_url, stream_name)
            if store.dialect == "sqlite":
                time.sleep(1.1)  # the dead relay's lease row lapses
    finally:
        stop.set()
        processes.join_all(writers, 60)
    head = store.head().position
    settings = RelaySettings(url=nats_url, stream=stream_name, subject_prefix=subject_prefix)
    asyncio.run(NatsRelay(store, settings).run(until_idle=True))
    stored = stream_contents(nats_url, stream_name)
    log = list(store.read_all())
    assert len(log) == head > seen
    assert [s.sequence for s in stored] == list(range(1, head + 1))
    assert [s.event.position for s in stored] == list(range(1, head + 1))
    assert [s.msg_id for s in stored] == [str(event.event_id) for event in log]
    assert [s.event for s in stored] == log


@pytest.mark.parametrize("kills", KILLS)
def test_a_consumer_killed_at_any_point_equals_a_fresh_fold(
        store: EventStore, database_url: str, nats_url: str, stream_name: str,
        subject_prefix: str, kills: int) -> None:
    rng = random.Random(kills)
    prepare_fold(database_url)
    engine = create_engine(database_url)
    consumer = Consumer(engine, "fold", lambda connection, event: None)
    consumer.prepare()
    settings = RelaySettings(url=nats_url, stream=stream_name, subject_prefix=subject_prefix)
    midway = 0
    for round_ in range(kills):
        for index in range(150):
            store.append(f"thing-{index % 7}", [NewEvent("Counted", {"n": round_ * 150 + index}),
                                                NewEvent("Noted", {"n": index})])
        asyncio.run(NatsRelay(store, settings).run(until_idle=True))
        before = consumer.position
        process = processes.start(consume, database_url, nats_url, stream_name)
        _wait(lambda before=before, process=process: consumer.position > before
              or not process.is_alive(), 60,
              "the consumer to commit")
        assert process.is_alive(), f"the consumer exited with {process.exitcode}"
        time.sleep(rng.uniform(0, 0.03))
        processes.kill(process)
        midway += consumer.position < store.head().position
    assert midway, "every kill came after the consumer had caught up: nothing was tested"
    head = store.head().position
    process = processes.start(consume, database_url, nats_url, stream_name)
    try:
        _wait(lambda: consumer.position == head, 60, "the consumer to reach the head")
    finally:
        processes.kill(process)
    assert fold_tables(database_url) == fresh_fold(list(store.read_all()))
    engine.dispose()
