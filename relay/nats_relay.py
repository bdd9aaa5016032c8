"""The NATS JetStream relay: every committed event, in position order, exactly once.

Each message carries ``Nats-Msg-Id`` = the event id and ``Nats-Expected-Last-Sequence`` =
position - 1, so the server stores it only as the stream's sequence ``position``: a gap,
a reordering or a second copy is refused by JetStream itself, not by hope. The relay keeps
no state of its own: on start it asks the stream for its last sequence and goes on from
the next position, which holds after any crash and however long after the server's
duplicate window. One relay per database, enforced by the store's lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nats
from nats.js import JetStreamContext
from nats.js import errors as js_errors

from eventstore import EventStore, RecordedEvent
from eventstore.leases import Lease
from relay.envelope import encode, subject_for
from relay.errors import RelayError
from relay.streams import ensure_stream

EXPECTED_LAST_SEQUENCE = "Nats-Expected-Last-Sequence"
MSG_ID = "Nats-Msg-Id"


@dataclass(frozen=True)
class RelaySettings:
    """Where to publish and how: the defaults are those of ``opslog relay nats``."""

    url: str = "nats://127.0.0.1:4222"
    stream: str = "OPSLOG"
    subject_prefix: str = "opslog"
    page_size: int = 500
    poll_interval: float = 0.05
    lease_ttl: float = 30.0
    holder: str = field(default_factory=lambda: f"relay@{socket.gethostname()}:{os.getpid()}")

    @property
    def lease_name(self) -> str:
        return f"relay:nats:{self.stream}"


class NatsRelay:
    """Publish `store`'s log to one JetStream stream; `run()` until `stop` is set."""

    def __init__(self, store: EventStore, settings: RelaySettings,
                 progress: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self._progress = progress
        self.published = 0

    async def run(self, stop: asyncio.Event | None = None, until_idle: bool = False) -> None:
        """Hold the lease, connect, and relay until `stop` is set (forever without one),
        or with `until_idle` until the stream has caught up with the log's head."""
        from datetime import timedelta

        lease = Lease(self.store.engine, self.settings.lease_name, self.settings.holder,
                      ttl=timedelta(seconds=self.settings.lease_ttl))
        await asyncio.to_thread(lease.acquire)
        try:
            connection = await nats.connect(self.settings.url, connect_timeout=5,
                                            max_reconnect_attempts=5)
            try:
                js = connection.jetstream()
                await ensure_stream(js, self.settings.stream, self.settings.subject_prefix)
                await self._relay(js, lease, stop or asyncio.Event(), until_idle)
            finally:
                await connection.close()
        finally:
            await asyncio.to_thread(lease.release)

    async def _relay(self, js: JetStreamContext, lease: Lease, stop: asyncio.Event,
                     until_idle: bool) -> None:
        next_position = await self.resume_position(js)
        renew_every = self.settings.lease_ttl / 3
        renewed = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - renewed > renew_every:
                await asyncio.to_thread(lease.renew)
                renewed = time.monotonic()
            page = await asyncio.to_thread(self._page, next_position)
            if not page:
                if until_idle:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.poll_interval)
                continue
            await self._publish(js, page, next_position)
            next_position = page[-1].position + 1
            self.published += len(page)
            if self._progress is not None:
                self._progress(page[-1].position)

    def _page(self, start: int) -> list[RecordedEvent]:
        return list(self.store.read_all(from_position=start, limit=self.settings.page_size))

    async def resume_position(self, js: JetStreamContext) -> int:
        """The position after the stream's last sequence, once that message is proved to be
        the log's event at that position (same id): a stream from another log, or a log
        restored to an older state, stops the relay instead of being extended wrongly."""
        info = await js.stream_info(self.settings.stream)
        last = int(info.state.last_seq or 0)
        if last == 0:
            return 1
        head = (await asyncio.to_thread(self.store.head)).position
        if last > head:
            raise RelayError(f"stream {self.settings.stream} holds {last} messages but the log "
                             f"ends at position {head}: it is not this log's stream")
        message = await js.get_msg(self.settings.stream, last)
        sent_id = (message.headers or {}).get(MSG_ID)
        event = await asyncio.to_thread(
            lambda: next(iter(self.store.read_all(from_position=last, limit=1)))
        )
        if sent_id != str(event.event_id):
            raise RelayError(f"stream {self.settings.stream} sequence {last} is event "
                             f"{sent_id}, but the log's position {last} is {event.event_id}")
        return last + 1

    async def _publish(self, js: JetStreamContext, page: list[RecordedEvent],
                       start: int) -> None:
        """Pipeline one page; every acknowledgement must name the event's own position."""
        futures = []
        expected = start
        for event in page:
            if event.position != expected:
                raise RelayError(f"the log skips from position {expected - 1} to "
                                 f"{event.position}")
            expected += 1
            headers = {MSG_ID: str(event.event_id),
                       EXPECTED_LAST_SEQUENCE: str(event.position - 1)}
            futures.append(await js.publish_async(
                subject_for(self.settings.subject_prefix, event), encode(event),
                headers=headers, stream=self.settings.stream))
        for event, future in zip(page, futures, strict=True):
            try:
                ack = await asyncio.wait_for(future, 30)
            except js_errors.APIError as error:
                raise RelayError(f"JetStream refused position {event.position}: "
                                 f"{error.description}") from None
            except TimeoutError:
                raise RelayError(f"no acknowledgement for position {event.position} "
                                 "within 30 s") from None
            if ack.seq != event.position or ack.duplicate:
                raise RelayError(f"position {event.position} was stored as sequence "
                                 f"{ack.seq}{' (a duplicate)' if ack.duplicate else ''}")
