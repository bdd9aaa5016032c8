"""A consumer that folds a relayed log into its own tables, exactly once.

Its position lives in a table beside its effects and moves in the same transaction as
them, so a consumer killed at any instant restarts where its last commit left it: an
event is applied with its position or not at all. Positions at or below the stored one
are skipped (idempotent by position); anything but the next position is a gap and stops
it, never applied out of order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import nats
import sqlalchemy as sa
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js import api as js_api
from sqlalchemy.engine import Connection, Engine

from eventstore import RecordedEvent
from relay.envelope import decode

Apply = Callable[[Connection, RecordedEvent], None]

metadata = sa.MetaData()
positions = sa.Table(
    "relay_consumer_positions",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)
"""One row per consumer: the last position whose effects are committed."""


class ConsumerGap(Exception):
    """An event arrived that is not the next position: the source skipped or reordered."""


class Consumer:
    """Apply events to `engine`'s tables with `apply(connection, event)`, one commit per
    batch, the position with them.

    `apply` must write only through the connection it is given (that is what makes the
    effects and the position one commit) and must be deterministic, so that the tables
    equal a fresh fold of the same events.
    """

    def __init__(self, engine: Engine, name: str, apply: Apply) -> None:
        self.engine = engine
        self.name = name
        self._apply = apply

    def prepare(self) -> None:
        """Create the position table if it is not there (in the consumer's own database)."""
        metadata.create_all(self.engine, tables=[positions])

    @property
    def position(self) -> int:
        with self.engine.connect() as connection:
            return self._read_position(connection, lock=False)

    def handle(self, events: Sequence[RecordedEvent]) -> int:
        """Apply the events after the stored position, in one transaction; the new position.

        Already-applied positions are skipped; a jump raises `ConsumerGap` and commits nothing.
        """
        with self.engine.begin() as connection:
            current = self._read_position(connection, lock=True)
            start = current
            for event in events:
                if event.position <= current:
                    continue
                if event.position != current + 1:
                    raise ConsumerGap(f"consumer {self.name!r} is at position {current} but "
                                      f"was given position {event.position}")
                self._apply(connection, event)
                current = event.position
            if current != start:
                connection.execute(positions.update()
                                   .where(positions.c.name == self.name)
                                   .values(position=current))
            return current

    def _read_position(self, connection: Connection, lock: bool) -> int:
        query = sa.select(positions.c.position).where(positions.c.name == self.name)
        if lock:
            query = query.with_for_update()
        value = connection.execute(query).scalar()
        if value is None:
            if not lock:
                return 0
            connection.execute(positions.insert().values(name=self.name, position=0))
            return 0
        return int(value)

    async def follow_nats(self, url: str = "nats://127.0.0.1:4222", stream: str = "OPSLOG",
                          subject: str | None = None, stop: asyncio.Event | None = None,
                          batch: int = 200, idle: float = 0.05) -> None:
        """Follow a relayed JetStream stream from the stored position until `stop` is set.

        An ordered consumer from sequence position + 1: JetStream replays in sequence
        order and the relay made sequence equal position, so the stream itself is the log.
        Without `subject` it takes the stream's own subjects (the relay's ``<prefix>.>``).
        """
        stop = stop or asyncio.Event()
        await asyncio.to_thread(self.prepare)
        start = await asyncio.to_thread(lambda: self.position)
        connection = await nats.connect(url, connect_timeout=5)
        try:
            js = connection.jetstream()
            if subject is None:
                subject = _only_subject(await js.stream_info(stream))
            subscription = await js.subscribe(
                subject, stream=stream, ordered_consumer=True,
                deliver_policy=js_api.DeliverPolicy.BY_START_SEQUENCE,
                config=js_api.ConsumerConfig(opt_start_seq=start + 1),
            )
            while not stop.is_set():
                events = await _take(subscription, batch, idle)
                if events:
                    await asyncio.to_thread(self.handle, events)
        finally:
            await connection.close()


def _only_subject(info: js_api.StreamInfo) -> str:
    subjects = list(info.config.subjects or [])
    if len(subjects) != 1:
        raise ValueError(f"stream {info.config.name} takes {subjects or 'no subjects'}: "
                         "name the subject to follow")
    return subjects[0]


async def _take(subscription: JetStreamContext.PushSubscription, batch: int,
                idle: float) -> list[RecordedEvent]:
    """Up to `batch` messages already delivered, waiting at most `idle` for the first."""
    events: list[RecordedEvent] = []
    while len(events) < batch:
        try:
            message = await subscription.next_msg(timeout=idle if not events else 0.001)
        except NatsTimeout:
            break
        event = decode(message.data)
        sequence = message.metadata.sequence.stream
        if sequence != event.position:
            raise ConsumerGap(f"stream sequence {sequence} carries position {event.position}")
        events.append(event)
    return events
