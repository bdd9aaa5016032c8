"""Writing catalogue events straight into a store, at chosen times, with known event ids."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from catalogue import (
    DomainEvent,
    EventCorrected,
    EventRetracted,
    Metadata,
    to_new_event,
)
from eventstore import ANY, EventStore, NewEvent

NAMESPACE = uuid.UUID("6f70736c-6f67-4000-8000-000000000000")


def at(text: str) -> datetime:
    """An aware UTC time from ISO text (``2018-07-10T09:00``)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class ManualClock:
    """The store's clock, moved by hand."""

    now: datetime = field(default_factory=lambda: at("2018-04-01T08:00"))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Written:
    """An event as written: its id and position, for corrections and assertions."""

    event: DomainEvent
    event_id: uuid.UUID
    position: int


@dataclass
class LogWriter:
    """Appends typed events, one commit per call, with ids derived from a counter."""

    store: EventStore
    clock: ManualClock
    actor: str = "performance.team"
    count: int = 0

    def record(self, *events: DomainEvent, when: str | None = None,
               actor: str | None = None, unit: str | None = None) -> list[Written]:
        """Append `events` in one commit (recorded at `when`, if given, by `actor` acting
        for `unit`)."""
        if when is not None:
            self.clock.now = at(when)
        metadata = Metadata(actor=actor or self.actor, unit=unit, command_id=f"c{self.count}",
                            command_type="Test", correlation_id=f"c{self.count}",
                            causation_id=f"c{self.count}")
        streams: dict[str, list[NewEvent]] = {}
        ids = []
        for event in events:
            self.count += 1
            event_id = uuid.uuid5(NAMESPACE, str(self.count))
            ids.append(event_id)
            streams.setdefault(event.stream_id, []).append(
                to_new_event(event, metadata, event_id=event_id))
        result = self.store.append_many([(stream, batch, ANY) for stream, batch in streams.items()])
        by_id = {recorded.event_id: recorded.position for recorded in self.store.read_all(
            from_position=result.first_position, to_position=result.last_position)}
        return [Written(event, event_id, by_id[event_id]) for event, event_id in zip(events, ids,
                                                                                     strict=True)]

    def one(self, event: DomainEvent, when: str | None = None,
            actor: str | None = None, unit: str | None = None) -> Written:
        return self.record(event, when=when, actor=actor, unit=unit)[0]

    def correct(self, target: Written, reason: str, when: str | None = None,
                actor: str | None = None, **changes: object) -> Written:
        """Record a correction of `target` with new values for some of its fields."""
        return self.one(EventCorrected(
            target_event_id=target.event_id,
            target_stream_id=target.event.stream_id,
            target_type=target.event.type_name,
            changes=dict(changes),
            reason=reason,
        ), when=when, actor=actor)

    def retract(self, target: Written, reason: str, when: str | None = None,
                actor: str | None = None) -> Written:
        return self.one(EventRetracted(
            target_event_id=target.event_id,
            target_stream_id=target.event.stream_id,
            target_type=target.event.type_name,
            reason=reason,
        ), when=when, actor=actor)


def open_writer(url: str, start: str = "2018-04-01T08:00", create: bool = True) -> LogWriter:
    """A writer on `url`; with `create`, the store's own tables are made first."""
    clock = ManualClock(at(start))
    return LogWriter(EventStore.open(url, create=create, clock=clock), clock)


def positions(written: Sequence[Written]) -> list[int]:
    return [item.position for item in written]
