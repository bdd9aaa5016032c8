"""The append transaction: lock, check, chain, insert — all of a commit or none of it.

Appends are serialized (``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock
on PostgreSQL) so that positions are gapless and committed in order, and so that
`recorded_at` is taken after the lock and never goes backwards.

Whose clock sets `recorded_at`: on PostgreSQL the server's (``clock_timestamp()``, read
with the head after the lock), so no client's clock can stamp the log; if the server's
clock steps back, the commit takes the head's time. On SQLite there is no server: the
writing machine's clock is checked against the head. Within `CLOCK_TOLERANCE` behind it
the commit takes the head's time; further behind it is refused with `ClockBehind`. A clock
ahead of the head is accepted, however far: on SQLite there is no other clock to tell a
wrong one from a right one. An explicit `clock` overrides both, for tests and tools that
write a log at chosen times (never the CLI): its times are taken as given and clamped to
the head's, as the server's are.

The commit talks to the driver under the SQLAlchemy connection directly, inside the
transaction the caller opened: plain tuples, no statement compilation, no result
processing. Driver errors are raised as SQLAlchemy's exceptions, as `Connection.execute`
would raise them.

On PostgreSQL a commit of a few events is three round trips: ``BEGIN`` in one pipeline
with ``eventstore_append_state`` (migration es0006: the lock, then the earlier commit, the
head, the streams' versions and the server's clock, each read after the lock); one
pipeline holding the events and the commit row (one INSERT with a data-modifying WITH;
several events as arrays through ``unnest``) and the Merkle tree's rows
(`eventstore.tree`, one INSERT over two arrays, whatever their count); ``COMMIT``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection
from uuid_utils import uuid7

from eventstore import tree
from eventstore.canonical import GENESIS_HASH, canonical_json, format_time, hash_input, parse_time
from eventstore.engine import POSTGRES_ISOLATION
from eventstore.errors import ClockBehind, HeadMoved, IdempotencyConflict, WrongExpectedVersion
from eventstore.model import ANY, NO_STREAM, STREAM_EXISTS, AppendResult, Expected, category_of
from eventstore.sealing import seal
from eventstore.tables import commits, events
from eventstore.transparency.merkle import leaf_hash
from eventstore.validation import PreparedStream

APPEND_LOCK_KEY = 0x6F70736C6F67  # "opslog"

Clock = Callable[[], datetime]

CLOCK_TOLERANCE = timedelta(seconds=5)
"""On SQLite, how far the writing machine's clock may read behind the head's `recorded_at`
and still commit (at the head's time): room for clocks that NTP keeps in step, far less
than a wrong date."""

EVENT_COLUMNS = (
    "position", "event_id", "stream_id", "category", "version", "type", "schema_version",
    "data", "metadata", "occurred_at", "recorded_at", "envelope", "digests", "salts",
    "prev_hash", "hash",
)
EVENT_TYPES = (
    "int8", "varchar", "varchar", "varchar", "int4", "varchar", "int4",
    "text", "text", "timestamptz", "timestamptz", "int2", "text", "text", "varchar", "varchar",
)
"""The PostgreSQL types of `EVENT_COLUMNS`, for the arrays a many-event INSERT unnests:
the migrations' column types."""
COMMIT_COLUMNS = (
    "idempotency_key", "fingerprint", "first_position", "last_position", "stream_versions",
    "recorded_at",
)


def _insert(table: str, columns: Sequence[str], mark: str) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join([mark] * len(columns))})")


class _Statements:
    """The commit's SQL for one driver's parameter marker.

    Only constant table and column names and the marker go into the text (hence the
    ``noqa: S608``); every value travels as a parameter.
    """

    def __init__(self, mark: str) -> None:
        self.find_commit = (
            "SELECT fingerprint, first_position, last_position, stream_versions, recorded_at "
            "FROM commits WHERE idempotency_key = " + mark
        )
        self.head = "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
        self.stream_version = "SELECT max(version) FROM events WHERE stream_id = " + mark  # noqa: S608
        self.insert_events = _insert("events", EVENT_COLUMNS, mark)
        self.insert_commit = _insert("commits", COMMIT_COLUMNS, mark)
        # PostgreSQL: the lock and every read after it in one call (es0006), and the
        # events with the commit row in one statement, several events as arrays.
        self.begin = f"BEGIN ISOLATION LEVEL {POSTGRES_ISOLATION}"
        self.append_state = f"SELECT * FROM eventstore_append_state({mark}, {mark}, {mark})"  # noqa: S608
        # Arrays go in binary (``%b``): psycopg's text form escapes every element.
        binary = "%b" if mark == "%s" else mark
        arrays = ", ".join(f"{binary}::{kind}[]" for kind in EVENT_TYPES)
        self.insert_many = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608
                            f"SELECT * FROM unnest({arrays})")
        with_commit = f"WITH commit_row AS ({self.insert_commit}) "
        self.insert_one_with_commit = with_commit + self.insert_events
        self.insert_many_with_commit = with_commit + self.insert_many


SQLITE = _Statements("?")
POSTGRESQL = _Statements("%s")


def utc_now() -> datetime:
    return datetime.now(UTC)


def lock_log(connection: Connection) -> None:
    """Take the log's append lock for the rest of the transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(APPEND_LOCK_KEY)))
    # SQLite: the transaction began with BEGIN IMMEDIATE and already holds the write lock.


def find_commit(connection: Connection, key: str) -> tuple[str, AppendResult] | None:
    """The fingerprint and result of the commit made with `key`, if there was one."""
    row = connection.execute(
        sa.select(
            commits.c.fingerprint,
            commits.c.first_position,
            commits.c.last_position,
            commits.c.stream_versions,
            commits.c.recorded_at,
        ).where(commits.c.idempotency_key == key)
    ).first()
    if row is None:
        return None
    return row.fingerprint, AppendResult(
        first_position=row.first_position,
        last_position=row.last_position,
        stream_versions=json.loads(row.stream_versions),
        recorded_at=row.recorded_at,
        replayed=True,
    )


def stream_version(connection: Connection, stream_id: str) -> int:
    """The stream's current version: 0 for a stream that does not exist."""
    value = connection.execute(
        sa.select(sa.func.max(events.c.version)).where(events.c.stream_id == stream_id)
    ).scalar()
    return int(value or 0)


def check_expected(stream_id: str, expected: Expected, actual: int) -> None:
    if expected is ANY:
        return
    if expected is STREAM_EXISTS:
        if actual == 0:
            raise WrongExpectedVersion(stream_id, expected, actual)
        return
    wanted = 0 if expected is NO_STREAM else expected
    if actual != wanted:
        raise WrongExpectedVersion(stream_id, expected, actual)


LogState = tuple[
    tuple[str, AppendResult] | None, Sequence[Any] | None, list[int], datetime | None
]
"""What a commit reads under the lock: an earlier commit with its key, the head row
(position, hash, recorded_at) or None, each stream's current version, and the database
server's clock (None on SQLite)."""


def write_commit(
    connection: Connection,
    streams: Sequence[PreparedStream],
    *,
    idempotency_key: str | None,
    fingerprint: str | None,
    clock: Clock | None = None,
    expected_position: int | None = None,
) -> AppendResult:
    """Append one commit inside the caller's open transaction.

    With `expected_position`, raise `HeadMoved` unless the log's head is there (checked
    against the head read under the lock, after the idempotency key).

    Without a `clock`, `recorded_at` is the PostgreSQL server's time, or this machine's on
    SQLite, refused with `ClockBehind` when too far behind the head (module docstring).
    """
    postgres = connection.dialect.name == "postgresql"
    sql = POSTGRESQL if postgres else SQLITE
    dbapi_error: type[Exception] = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = sql.append_state if postgres else sql.head
    try:
        read = _read_postgresql if postgres else _read_sqlite
        try:
            earlier, head, current_versions, server_now = read(cursor, streams,
                                                               idempotency_key)
        except dbapi_error as error:
            if postgres and cursor.connection.closed:
                raise LostBeforeWriting from error
            raise
        if earlier is not None:
            if earlier[0] != fingerprint:
                raise IdempotencyConflict(idempotency_key or "")
            return earlier[1]
        # Only this machine's clock on SQLite is checked: the server's and an explicit
        # override are taken as they read, and clamped.
        checked = clock is None and server_now is None
        if clock is not None:
            recorded_at = clock().astimezone(UTC)
        elif server_now is not None:
            recorded_at = server_now.astimezone(UTC)
        else:
            recorded_at = utc_now().astimezone(UTC)
        position, prev_hash = 0, GENESIS_HASH
        if expected_position is not None and (head[0] if head else 0) != expected_position:
            raise HeadMoved(expected_position, head[0] if head else 0)
        if head is not None:
            position, prev_hash, head_recorded_at = head
            head_recorded_at = _utc(head_recorded_at)
            if recorded_at < head_recorded_at:
                if checked and head_recorded_at - recorded_at > CLOCK_TOLERANCE:
                    raise ClockBehind(recorded_at, head_recorded_at, CLOCK_TOLERANCE)
                recorded_at = head_recorded_at
        first_position = position + 1
        leaves: list[bytes] = []
        rows, versions, position = _chain(streams, current_versions, position, prev_hash,
                                          recorded_at, postgres, leaves)
        commit_row: tuple[object, ...] | None = None
        if idempotency_key is not None:
            commit_row = (idempotency_key, fingerprint, first_position, position,
                          canonical_json(versions),
                          recorded_at if postgres else _sqlite_time(recorded_at))
        statement = sql.insert_events
        if postgres:
            _write_postgresql(cursor, rows, commit_row, first_position - 1, prev_hash, leaves)
        else:
            _insert_sqlite(cursor, rows, commit_row)
            statement = "INSERT INTO tree_hashes"
            tree.append_leaves(cursor, False, first_position - 1, prev_hash, leaves,
                               str(rows[-1][-1]))
    except dbapi_error as error:
        raise sa_exc.DBAPIError.instance(
            statement, None, error, dbapi_error, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()
    return AppendResult(
        first_position=first_position,
        last_position=position,
        stream_versions=versions,
        recorded_at=recorded_at,
    )


def _chain(
    streams: Sequence[PreparedStream],
    current_versions: Sequence[int],
    position: int,
    prev_hash: str,
    recorded_at: datetime,
    postgres: bool,
    leaves: list[bytes],
) -> tuple[list[tuple[object, ...]], dict[str, int], int]:
    """The commit's rows, hash-chained from `prev_hash`; the streams' new versions; the
    last position. Each event's Merkle leaf is appended to `leaves`. Raises
    `WrongExpectedVersion` for the first stream not where expected."""
    recorded_text = format_time(recorded_at)
    stored_recorded_at: object = recorded_at if postgres else _sqlite_time(recorded_at)
    rows: list[tuple[object, ...]] = []
    versions: dict[str, int] = {}
    for stream, version in zip(streams, current_versions, strict=True):
        stream_id = stream.stream_id
        check_expected(stream_id, stream.expected, version)
        category = category_of(stream_id)
        for event in stream.events:
            position += 1
            version += 1
            # Time-ordered (UUIDv7) when the caller gives none: each lands at the right
            # edge of the unique index on event ids, as positions do, not at a random leaf.
            event_id = str(uuid7()) if event.event_id is None else str(event.event_id)
            if event.occurred_at is None:
                occurred_text = recorded_text
                stored_occurred_at = stored_recorded_at
            else:
                occurred_at = event.occurred_at.astimezone(UTC)
                occurred_text = format_time(occurred_at)
                stored_occurred_at = occurred_at if postgres else _sqlite_time(occurred_at)
            digests_json, salts_json = seal(event.data_json)
            data = hash_input(
                position=position,
                event_id=event_id,
                stream_id=stream_id,
                version=version,
                type=event.type,
                schema_version=event.schema_version,
                occurred_at=occurred_text,
                recorded_at=recorded_text,
                prev_hash=prev_hash,
                data_json=event.data_json,
                metadata_json=event.metadata_json,
                envelope=2,
                digests_json=digests_json,
            )
            digest = hashlib.sha256(data).hexdigest()
            leaves.append(leaf_hash(data))
            rows.append((
                position, event_id, stream_id, category, version, event.type,
                event.schema_version, event.data_json, event.metadata_json,
                stored_occurred_at, stored_recorded_at, 2, digests_json, salts_json,
                prev_hash, digest,
            ))
            prev_hash = digest
        versions[stream_id] = version
    return rows, versions, position


@lru_cache(maxsize=64)
def _parse_stored(text: str) -> datetime:
    # Each commit reads the time the one before it wrote: parse each text once.
    return parse_time(text)


def _utc(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands back its text)."""
    if isinstance(value, str):
        return _parse_stored(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_time(moment: datetime) -> str:
    """A UTC time as `tables.UTCDateTime` stores it on SQLite (SQLAlchemy's text format)."""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 - SQLAlchemy's own format
        moment.year, moment.month, moment.day,
        moment.hour, moment.minute, moment.second, moment.microsecond,
    )


def _earlier(row: Sequence[Any] | None) -> tuple[str, AppendResult] | None:
    if row is None:
        return None
    fingerprint, first_position, last_position, stream_versions, recorded_at = row
    return fingerprint, AppendResult(
        first_position=first_position,
        last_position=last_position,
        stream_versions=json.loads(stream_versions),
        recorded_at=_utc(recorded_at),
        replayed=True,
    )


def _read_sqlite(cursor: Any, streams: Sequence[PreparedStream],
                 idempotency_key: str | None) -> LogState:
    # The transaction began with BEGIN IMMEDIATE: the write lock is already held.
    if idempotency_key is not None:
        earlier = _earlier(cursor.execute(SQLITE.find_commit, (idempotency_key,)).fetchone())
        if earlier is not None:
            return earlier, None, [], None
    head = cursor.execute(SQLITE.head).fetchone()
    versions = [
        cursor.execute(SQLITE.stream_version, (stream.stream_id,)).fetchone()[0] or 0
        for stream in streams
    ]
    return None, head, versions, None


class LostBeforeWriting(Exception):
    """The connection was lost in the append's first round trip (the lock and the reads):
    nothing was written, so the append may be made again on another connection. A server
    can end a pooled connection between the check at checkout and its first use."""


def _read_postgresql(cursor: Any, streams: Sequence[PreparedStream],
                     idempotency_key: str | None) -> LogState:
    # One call takes the lock and then reads, each read after the lock (es0006). On a
    # connection in autocommit mode with no transaction open (`EventStore.append_many`),
    # the transaction is begun here, in one pipeline with the call: one round trip.
    params = (APPEND_LOCK_KEY, idempotency_key, [stream.stream_id for stream in streams])
    from psycopg.pq import TransactionStatus  # not imported for SQLite users

    connection = cursor.connection
    if connection.autocommit and connection.info.transaction_status == TransactionStatus.IDLE:
        with connection.pipeline():
            cursor.execute(POSTGRESQL.begin)
            cursor.execute(POSTGRESQL.append_state, params)
    else:
        cursor.execute(POSTGRESQL.append_state, params)
    row = cursor.fetchone()
    if row[0] is not None:
        return _earlier(row[:5]), None, [], None
    position, digest, recorded_at, versions, server_now = row[5:]
    head = None if position is None else (position, digest, recorded_at)
    return None, head, versions, server_now


def _insert_sqlite(cursor: Any, rows: list[tuple[object, ...]],
                   commit_row: tuple[object, ...] | None) -> None:
    if len(rows) == 1:
        cursor.execute(SQLITE.insert_events, rows[0])
    else:
        cursor.executemany(SQLITE.insert_events, rows)
    if commit_row is not None:
        cursor.execute(SQLITE.insert_commit, commit_row)


def _write_postgresql(cursor: Any, rows: list[tuple[object, ...]],
                      commit_row: tuple[object, ...] | None, size: int, head_hash: str,
                      leaves: Sequence[bytes]) -> None:
    """The events, the commit row and the tree's rows in one round trip: the tree's rows
    are worked out first (its border is cached, or read at once) and sent in one pipeline
    with the events' INSERT."""
    tree_rows = tree.rows_to_append(cursor, True, size, head_hash, leaves, str(rows[-1][-1]))
    with cursor.connection.pipeline():
        _insert_postgresql(cursor, rows, commit_row)
        if tree_rows:
            tree.write_rows(cursor, True, tree_rows)


def _insert_postgresql(cursor: Any, rows: list[tuple[object, ...]],
                       commit_row: tuple[object, ...] | None) -> None:
    # One statement: the commit row rides along in a WITH, and several events go in as
    # one array per column.
    if len(rows) == 1:
        events_params: Sequence[object] = rows[0]
        plain, with_commit = POSTGRESQL.insert_events, POSTGRESQL.insert_one_with_commit
    else:
        events_params = [list(column) for column in zip(*rows, strict=True)]
        plain, with_commit = POSTGRESQL.insert_many, POSTGRESQL.insert_many_with_commit
    if commit_row is None:
        cursor.execute(plain, events_params)
    else:
        cursor.execute(with_commit, [*commit_row, *events_params])
