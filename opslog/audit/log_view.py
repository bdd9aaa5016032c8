"""Which events an auditor's ``log`` and ``history`` show, in which order, and as what.

Selection narrows in the database where it can (positions, type, category, recorded-time
bounds through the recorded-at index) and reads a page at a time in either direction,
so memory stays flat however long the log is.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from catalogue.channel import describe as describe_channel
from catalogue.reported import declared_on
from eventstore import EventStore, RecordedEvent
from eventstore.model import category_of
from opslog.audit.summary import summarise_payload

PAGE_SIZE = 2_000
EARLIEST = datetime.min.replace(tzinfo=UTC)

Summariser = Callable[[RecordedEvent], str]
Annotator = Callable[[RecordedEvent], str]
"""Says something about one event for an extra ``note`` column (e.g. what it corrects)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LogQuery:
    """What to show: every filter is optional; times are recorded times, inclusive."""

    stream: str | None = None
    category: str | None = None
    type: str | None = None
    unit: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    from_position: int = 1
    limit: int | None = None
    reverse: bool = False
    reported: date | None = None
    """Only events their sources had reported on or before this date (the declared date,
    `catalogue.reported`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One event as a log or history line shows it."""

    position: int
    event_id: str
    stream_id: str
    version: int
    type: str
    schema_version: int
    recorded_at: datetime
    occurred_at: datetime
    actor: str
    unit: str
    channel: str | None
    """How it reached the log: ``api tok-…`` or ``direct user@host`` (`catalogue.channel`);
    None for an event written before channels were recorded."""
    summary: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    note: str | None = None
    reported_on: date | None = None
    """When its source reported it: the declared date, else the day it was recorded."""


def select_events(store: EventStore, query: LogQuery) -> Iterator[RecordedEvent]:
    """The events `query` asks for, oldest first (newest first with ``reverse``)."""
    first, last = _position_bounds(store, query)
    categories = [query.category] if query.category else None
    if query.stream is not None:
        if query.category is not None and category_of(query.stream) != query.category:
            return iter(())
        categories = [category_of(query.stream)]
    types = [query.type] if query.type else None
    if first > last:
        return iter(())
    if query.reverse:
        source = _backwards(store, first, last, types, categories)
    else:
        # Bounded here, not with to_position: see `eventstore.export.export_log`.
        source = itertools.takewhile(
            lambda event: event.position <= last,
            store.read_all(first, types=types, categories=categories),
        )
    matching = (event for event in source if _matches(event, query))
    return itertools.islice(matching, query.limit)


def summarise(event: RecordedEvent) -> str:
    """The default summary: the payload's fields on one line."""
    return summarise_payload(event.data)


def to_entry(event: RecordedEvent, summariser: Summariser = summarise,
             annotate: Annotator | None = None) -> LogEntry:
    """The line for one event; `annotate`, when given, fills the ``note`` column."""
    metadata = event.metadata
    return LogEntry(
        position=event.position,
        event_id=str(event.event_id),
        stream_id=event.stream_id,
        version=event.version,
        type=event.type,
        schema_version=event.schema_version,
        recorded_at=event.recorded_at,
        occurred_at=event.occurred_at,
        actor=_text(metadata.get("actor")),
        unit=_text(metadata.get("unit")),
        channel=(describe_channel(metadata["channel"]) if metadata.get("channel") is not None
                 else None),
        summary=summariser(event),
        data=event.data,
        metadata=metadata,
        note=(annotate(event) or None) if annotate is not None else None,
        reported_on=declared_on(metadata, event.recorded_at),
    )


def log_entries(store: EventStore, query: LogQuery, summariser: Summariser = summarise,
                annotate: Annotator | None = None) -> Iterator[LogEntry]:
    """The ``log`` view: `select_events` as lines."""
    for event in select_events(store, query):
        yield to_entry(event, summariser, annotate)


def stream_history(store: EventStore, stream_id: str, summariser: Summariser = summarise,
                   annotate: Annotator | None = None) -> list[LogEntry]:
    """The ``history`` view: one stream's life in version order (empty if unknown)."""
    return [to_entry(event, summariser, annotate) for event in store.read_stream(stream_id)]


def _position_bounds(store: EventStore, query: LogQuery) -> tuple[int, int]:
    """Recorded times never decrease with position, so time bounds are position bounds."""
    first = max(query.from_position, 1)
    last = store.head().position
    if query.since is not None and query.since > EARLIEST:
        before = store.position_at(query.since - timedelta(microseconds=1))
        first = max(first, before + 1)
    if query.until is not None:
        last = min(last, store.position_at(query.until))
    return first, last


def _backwards(store: EventStore, first: int, last: int, types: list[str] | None,
               categories: list[str] | None) -> Iterator[RecordedEvent]:
    high = last
    while high >= first:
        low = max(first, high - PAGE_SIZE + 1)
        page = list(store.read_all(low, high, types=types, categories=categories))
        yield from reversed(page)
        high = low - 1


def _matches(event: RecordedEvent, query: LogQuery) -> bool:
    if query.stream is not None and event.stream_id != query.stream:
        return False
    if query.since is not None and event.recorded_at < query.since:
        return False
    if query.reported is not None and declared_on(event.metadata,
                                                  event.recorded_at) > query.reported:
        return False
    if query.until is not None and event.recorded_at > query.until:
        return False
    if query.actor is not None or query.unit is not None:
        metadata = event.metadata
        if query.actor is not None and _text(metadata.get("actor")) != query.actor:
            return False
        if query.unit is not None and _text(metadata.get("unit")) != query.unit:
            return False
    return True


def _text(value: object) -> str:
    return "" if value is None else str(value)
