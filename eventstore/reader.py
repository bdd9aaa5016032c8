"""Reading the log back: pages by position, so memory stays flat however long it grows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from eventstore.model import RecordedEvent
from eventstore.tables import events

PAGE_SIZE = 2_000

COLUMNS = (
    events.c.position,
    events.c.event_id,
    events.c.stream_id,
    events.c.version,
    events.c.type,
    events.c.schema_version,
    events.c.data,
    events.c.metadata,
    events.c.occurred_at,
    events.c.recorded_at,
    events.c.prev_hash,
    events.c.hash,
)


def to_event(row: Row[tuple[object, ...]] | Sequence[object]) -> RecordedEvent:
    """Build a `RecordedEvent` from a row of `COLUMNS`."""
    (position, event_id, stream_id, version, type_, schema_version, data, metadata,
     occurred_at, recorded_at, prev_hash, digest) = row
    assert isinstance(occurred_at, datetime) and isinstance(recorded_at, datetime)
    return RecordedEvent(
        position=int(position),  # type: ignore[call-overload]
        event_id=uuid.UUID(str(event_id)),
        stream_id=str(stream_id),
        version=int(version),  # type: ignore[call-overload]
        type=str(type_),
        schema_version=int(schema_version),  # type: ignore[call-overload]
        data_json=str(data),
        metadata_json=str(metadata),
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        prev_hash=str(prev_hash),
        hash=str(digest),
    )


def read_connection(engine: Engine) -> Connection:
    """A connection for reading: on SQLite it begins deferred and never waits for writers."""
    return engine.connect().execution_options(sqlite_read_only=True)


def read_stream(
    engine: Engine,
    stream_id: str,
    from_version: int = 1,
    to_version: int | None = None,
    backwards: bool = False,
    limit: int | None = None,
) -> list[RecordedEvent]:
    query = sa.select(*COLUMNS).where(events.c.stream_id == stream_id)
    if backwards:
        # Reading backwards, `from_version` is where to start going down from (inclusive).
        if from_version > 1 or to_version is not None:
            query = query.where(events.c.version <= max(from_version, to_version or 0))
        query = query.order_by(events.c.version.desc())
    else:
        query = query.where(events.c.version >= from_version)
        if to_version is not None:
            query = query.where(events.c.version <= to_version)
        query = query.order_by(events.c.version)
    if limit is not None:
        query = query.limit(limit)
    with read_connection(engine) as connection:
        return [to_event(row) for row in connection.execute(query)]


def read_all(
    engine: Engine,
    from_position: int = 1,
    to_position: int | None = None,
    limit: int | None = None,
    types: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[RecordedEvent]:
    """Events in position order, fetched a page at a time, each page its own snapshot."""
    base = sa.select(*COLUMNS).order_by(events.c.position)
    if to_position is not None:
        base = base.where(events.c.position <= to_position)
    if types is not None:
        base = base.where(events.c.type.in_(list(types)))
    if categories is not None:
        base = base.where(events.c.category.in_(list(categories)))
    remaining = limit
    next_position = from_position
    while remaining is None or remaining > 0:
        size = page_size if remaining is None else min(page_size, remaining)
        query = base.where(events.c.position >= next_position).limit(size)
        with read_connection(engine) as connection:
            page = [to_event(row) for row in connection.execute(query)]
        yield from page
        if len(page) < size:
            return
        next_position = page[-1].position + 1
        if remaining is not None:
            remaining -= len(page)
