"""Reading the log back: pages by position, so memory stays flat however long it grows.

Reads go straight to the driver (`sqlite3` or psycopg) on a connection from the engine's
pool: one SELECT per page, rows as plain tuples, and a `RecordedEvent` built from each
without SQLAlchemy's per-row result processing. Stored times are parsed once per distinct
value in a page (an event's `occurred_at` is usually its commit's `recorded_at`, shared by
every event of the commit), and payloads stay text until someone asks for them.
Driver errors come out as SQLAlchemy's `DBAPIError` subclasses, as they would from
`Connection.execute`, so callers translate them the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, Engine, Row

from eventstore.canonical import parse_time
from eventstore.model import RecordedEvent, recorded_event
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
    events.c.envelope,
    events.c.digests,
    events.c.salts,
)


def _select_events(postgres: bool) -> str:
    """The SELECT of `COLUMNS`, names from the table definition only (nothing from outside).

    PostgreSQL hands times back in UTC without a zone: plain values that hash cheaply for
    the per-page memo, made aware (UTC) once each.
    """
    names = [
        f"{column.name} AT TIME ZONE 'UTC'" if postgres and column.name.endswith("_at")
        else column.name
        for column in COLUMNS
    ]
    return "SELECT " + ", ".join(names) + " FROM events"  # noqa: S608


SELECT_EVENTS = {"sqlite": _select_events(False), "postgresql": _select_events(True)}


def to_event(row: Row[Any] | Sequence[Any]) -> RecordedEvent:
    """Build a `RecordedEvent` from a row of `COLUMNS` read through SQLAlchemy."""
    (position, event_id, stream_id, version, type_, schema_version, data, metadata,
     occurred_at, recorded_at, prev_hash, digest, envelope, digests, salts) = tuple(row)
    assert isinstance(occurred_at, datetime) and isinstance(recorded_at, datetime)
    return RecordedEvent(
        position=int(position),
        event_id=uuid.UUID(str(event_id)),
        stream_id=str(stream_id),
        version=int(version),
        type=str(type_),
        schema_version=int(schema_version),
        data_json=str(data),
        metadata_json=str(metadata),
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        prev_hash=str(prev_hash),
        hash=str(digest),
        envelope=int(envelope),
        digests_json=digests,
        salts_json=salts,
    )


def read_connection(engine: Engine) -> Connection:
    """A connection for reading: on SQLite it begins deferred and never waits for writers."""
    return engine.connect().execution_options(sqlite_read_only=True)


# -- the driver underneath -------------------------------------------------------------


def placeholder(connection: Connection) -> str:
    """The driver's parameter marker: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


@contextmanager
def driver_errors(connection: Connection, statement: str, params: Any = None) -> Iterator[None]:
    """Raise driver errors as the SQLAlchemy exceptions `Connection.execute` would raise."""
    dbapi_error: type[Exception] = connection.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as error:
        raise sa_exc.DBAPIError.instance(
            statement, params, error, dbapi_error, dialect=connection.dialect
        ) from error


def fetch_all(connection: Connection, statement: str, params: Sequence[Any]) -> list[Any]:
    """Run one query on the driver connection under `connection` and return its rows.

    Outside a SQLAlchemy transaction the query is its own snapshot (SQLite autocommit;
    psycopg opens a transaction that the pool rolls back when the connection returns).
    """
    driver: Any = connection.connection.driver_connection
    with driver_errors(connection, statement, params):
        # psycopg: binary results load integers and times faster than their text.
        cursor = driver.cursor(binary=True) if connection.dialect.name == "postgresql" \
            else driver.cursor()
        try:
            cursor.execute(statement, params)
            rows: list[Any] = cursor.fetchall()
        finally:
            cursor.close()
    return rows


def event_builder() -> Callable[[Sequence[Sequence[Any]]], list[RecordedEvent]]:
    """Turn pages of driver rows of `COLUMNS` into events, parsing each distinct stored
    time once.

    SQLite keeps times as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text; from PostgreSQL the
    query asks for naive UTC datetimes. Either way the event gets an aware UTC datetime,
    as `tables.UTCDateTime` would give. The event id stays text until it is asked for,
    like the payloads.
    """
    times: dict[Any, datetime] = {}

    def moment(value: Any) -> datetime:
        if isinstance(value, str):
            parsed = parse_time(value)
        else:
            parsed = value.replace(tzinfo=UTC) if value.tzinfo is None \
                else value.astimezone(UTC)
        if len(times) > 4 * PAGE_SIZE:
            times.clear()
        times[value] = parsed
        return parsed

    def build(rows: Sequence[Sequence[Any]]) -> list[RecordedEvent]:
        known = times.get
        # int(): SQLite keeps whatever was stored; a version altered into text must fail
        # here, as it always has, not travel on as a string.
        return [
            recorded_event(position, event_id, stream_id, int(version), type_,
                           int(schema_version), data, metadata,
                           known(occurred_at) or moment(occurred_at),
                           known(recorded_at) or moment(recorded_at), prev_hash, digest,
                           envelope, digests, salts)
            for (position, event_id, stream_id, version, type_, schema_version, data,
                 metadata, occurred_at, recorded_at, prev_hash, digest, envelope, digests,
                 salts) in rows
        ]

    return build


# -- reads -----------------------------------------------------------------------------


def read_stream(
    engine: Engine,
    stream_id: str,
    from_version: int = 1,
    to_version: int | None = None,
    backwards: bool = False,
    limit: int | None = None,
) -> list[RecordedEvent]:
    with read_connection(engine) as connection:
        mark = placeholder(connection)
        where = [f"stream_id = {mark}"]
        params: list[Any] = [stream_id]
        if backwards:
            # Reading backwards, `from_version` is where to start going down from (inclusive).
            if from_version > 1 or to_version is not None:
                where.append(f"version <= {mark}")
                params.append(max(from_version, to_version or 0))
            order = "version DESC"
        else:
            where.append(f"version >= {mark}")
            params.append(from_version)
            if to_version is not None:
                where.append(f"version <= {mark}")
                params.append(to_version)
            order = "version"
        select = SELECT_EVENTS[connection.dialect.name]
        statement = f"{select} WHERE {' AND '.join(where)} ORDER BY {order}"
        if limit is not None:
            statement += f" LIMIT {mark}"
            params.append(limit)
        rows = fetch_all(connection, statement, params)
    return event_builder()(rows)


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
    remaining = limit
    next_position = from_position
    build = event_builder()
    while remaining is None or remaining > 0:
        size = page_size if remaining is None else min(page_size, remaining)
        with read_connection(engine) as connection:
            statement, params = _page_query(connection, next_position, size, to_position,
                                            types, categories)
            rows = fetch_all(connection, statement, params)
        page = build(rows)
        yield from page
        if len(page) < size:
            return
        next_position = page[-1].position + 1
        if remaining is not None:
            remaining -= len(page)


def _page_query(
    connection: Connection,
    from_position: int,
    size: int,
    to_position: int | None,
    types: Sequence[str] | None,
    categories: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    mark = placeholder(connection)
    where = [f"position >= {mark}"]
    params: list[Any] = [from_position]
    if to_position is not None:
        where.append(f"position <= {mark}")
        params.append(to_position)
    for column, values in (("type", types), ("category", categories)):
        if values is None:
            continue
        values = list(values)
        if values:
            where.append(f"{column} IN ({', '.join([mark] * len(values))})")
            params.extend(values)
        else:
            where.append("1 = 0")  # an empty filter matches nothing, as SQLAlchemy's does
    params.append(size)
    select = SELECT_EVENTS[connection.dialect.name]
    return f"{select} WHERE {' AND '.join(where)} ORDER BY position LIMIT {mark}", params
