"""The append transaction: lock, check, chain, insert — all of a commit or none of it.

Appends are serialized (``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock
on PostgreSQL) so that positions are gapless and committed in order, and so that
`recorded_at` is taken after the lock and never goes backwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.canonical import GENESIS_HASH, canonical_json, event_hash
from eventstore.errors import IdempotencyConflict, WrongExpectedVersion
from eventstore.model import ANY, NO_STREAM, STREAM_EXISTS, AppendResult, Expected, category_of
from eventstore.tables import commits, events
from eventstore.validation import PreparedStream

APPEND_LOCK_KEY = 0x6F70736C6F67  # "opslog"

Clock = Callable[[], datetime]


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


def write_commit(
    connection: Connection,
    streams: Sequence[PreparedStream],
    *,
    idempotency_key: str | None,
    fingerprint: str | None,
    clock: Clock,
) -> AppendResult:
    """Append one commit inside the caller's open transaction."""
    lock_log(connection)
    if idempotency_key is not None:
        earlier = find_commit(connection, idempotency_key)
        if earlier is not None:
            if earlier[0] != fingerprint:
                raise IdempotencyConflict(idempotency_key)
            return earlier[1]
    head = connection.execute(
        sa.select(events.c.position, events.c.hash, events.c.recorded_at)
        .order_by(events.c.position.desc())
        .limit(1)
    ).first()
    position = head.position if head else 0
    prev_hash = head.hash if head else GENESIS_HASH
    recorded_at = clock().astimezone(UTC)
    if head is not None and recorded_at < head.recorded_at:
        recorded_at = head.recorded_at
    first_position = position + 1
    rows: list[dict[str, object]] = []
    versions: dict[str, int] = {}
    for stream in streams:
        version = stream_version(connection, stream.stream_id)
        check_expected(stream.stream_id, stream.expected, version)
        category = category_of(stream.stream_id)
        for event in stream.events:
            position += 1
            version += 1
            event_id = event.event_id or uuid.uuid4()
            occurred_at = (event.occurred_at or recorded_at).astimezone(UTC)
            digest = event_hash(
                position=position,
                event_id=event_id,
                stream_id=stream.stream_id,
                version=version,
                type=event.type,
                schema_version=event.schema_version,
                occurred_at=occurred_at,
                recorded_at=recorded_at,
                prev_hash=prev_hash,
                data_json=event.data_json,
                metadata_json=event.metadata_json,
            )
            rows.append(
                {
                    "position": position,
                    "event_id": str(event_id),
                    "stream_id": stream.stream_id,
                    "category": category,
                    "version": version,
                    "type": event.type,
                    "schema_version": event.schema_version,
                    "data": event.data_json,
                    "metadata": event.metadata_json,
                    "occurred_at": occurred_at,
                    "recorded_at": recorded_at,
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
            prev_hash = digest
        versions[stream.stream_id] = version
    connection.execute(events.insert(), rows)
    if idempotency_key is not None:
        connection.execute(
            commits.insert(),
            {
                "idempotency_key": idempotency_key,
                "fingerprint": fingerprint,
                "first_position": first_position,
                "last_position": position,
                "stream_versions": canonical_json(versions),
                "recorded_at": recorded_at,
            },
        )
    return AppendResult(
        first_position=first_position,
        last_position=position,
        stream_versions=versions,
        recorded_at=recorded_at,
    )
