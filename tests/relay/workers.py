"""The processes the relay's crash checks start: writers, a relay, a consumer.

Module-level functions of picklable arguments, each opening its own store; the relay and
the consumer run as real command-line or API processes so that SIGKILL leaves them
exactly where it finds them.
"""

from __future__ import annotations

import asyncio
import sys
import time
from multiprocessing.synchronize import Event

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore import EventStore, NewEvent, RecordedEvent
from eventstore.engine import create_engine
from relay import Consumer

FOLD = sa.MetaData()
stream_heads = sa.Table(
    "fold_stream_heads", FOLD,
    sa.Column("stream_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("last_position", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
)
type_counts = sa.Table(
    "fold_type_counts", FOLD,
    sa.Column("type", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


def write_events(url: str, worker: int, start: Event, stop: Event) -> None:
    """Commits of one to three events to this writer's streams until `stop` is set."""
    store = EventStore.open(url)
    start.wait(60)
    index = 0
    while not stop.is_set():
        size = 1 + index % 3
        store.append(f"thing-w{worker}-{index % 5}",
                     [NewEvent("Counted", {"n": index, "k": k, "w": worker})
                      for k in range(size)])
        index += 1
        time.sleep(0.005)
    store.close()


def relay_command(url: str, nats_url: str, stream: str, prefix: str) -> list[str]:
    """The CLI relay as a process of its own (a short lease, for SQLite's lapsing rows)."""
    return [sys.executable, "-c", "from opslog.cli import main; main()", "--db", url,
            "relay", "nats", "--url", nats_url, "--stream", stream, "--subject-prefix",
            prefix, "--lease-seconds", "1"]


def apply_fold(connection: Connection, event: RecordedEvent) -> None:
    """A small deterministic fold: each stream's head and running total, counts by type."""
    n = int(event.data.get("n", 0))
    updated = connection.execute(
        stream_heads.update().where(stream_heads.c.stream_id == event.stream_id)
        .values(version=event.version, last_position=event.position,
                total=stream_heads.c.total + n)
    ).rowcount
    if not updated:
        connection.execute(stream_heads.insert().values(
            stream_id=event.stream_id, version=event.version, last_position=event.position,
            total=n))
    updated = connection.execute(
        type_counts.update().where(type_counts.c.type == event.type)
        .values(count=type_counts.c.count + 1)
    ).rowcount
    if not updated:
        connection.execute(type_counts.insert().values(type=event.type, count=1))


Rows = set[tuple[object, ...]]


def fresh_fold(events: list[RecordedEvent]) -> tuple[Rows, Rows]:
    """What `apply_fold` must leave, computed in memory from the log."""
    heads: dict[str, tuple[int, int, int]] = {}
    counts: dict[str, int] = {}
    for event in events:
        total = heads.get(event.stream_id, (0, 0, 0))[2] + int(event.data.get("n", 0))
        heads[event.stream_id] = (event.version, event.position, total)
        counts[event.type] = counts.get(event.type, 0) + 1
    return ({(stream, *values) for stream, values in heads.items()},
            {(kind, count) for kind, count in counts.items()})


def fold_tables(url: str) -> tuple[Rows, Rows]:
    engine = create_engine(url)
    with engine.connect() as connection:
        heads = {tuple(row) for row in connection.execute(sa.select(stream_heads))}
        counts = {tuple(row) for row in connection.execute(sa.select(type_counts))}
    engine.dispose()
    return heads, counts


def prepare_fold(url: str) -> None:
    engine = create_engine(url)
    FOLD.create_all(engine)
    engine.dispose()


def consume(consumer_url: str, nats_url: str, stream: str) -> None:
    """Follow the stream into the fold's tables until killed."""
    engine = create_engine(consumer_url)
    consumer = Consumer(engine, "fold", apply_fold)
    asyncio.run(consumer.follow_nats(nats_url, stream, batch=7))
