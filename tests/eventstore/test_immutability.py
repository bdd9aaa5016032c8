"""Append-only is enforced by the database itself: raw SQL cannot change or remove the log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy.exc as sa_exc

from eventstore import EventStore, ImmutableEvents, NewEvent
from eventstore.translate import translate

Snapshot = tuple[list[tuple[object, ...]], list[tuple[object, ...]]]


def fill(store: EventStore) -> EventStore:
    """Five events in three commits, two of them with idempotency keys."""
    store.append("unit-a", [NewEvent("Formed", {"n": 1}), NewEvent("Renamed", {"n": 2})],
                 idempotency_key="cmd-1")
    store.append("unit-b", [NewEvent("Formed", {"n": 3})])
    store.append_many([("unit-a", [NewEvent("Merged", {"n": 4})], 2),
                       ("unit-b", [NewEvent("Merged", {"n": 5})], 1)],
                      idempotency_key="cmd-3")
    return store


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    """A store on each backend holding five events in three commits."""
    return fill(store)


def snapshot(store: EventStore) -> Snapshot:
    """Every stored column of both tables, read with plain SQL."""
    with store.engine.connect() as connection:
        events = connection.exec_driver_sql("SELECT * FROM events ORDER BY position").all()
        commits = connection.exec_driver_sql(
            "SELECT * FROM commits ORDER BY idempotency_key"
        ).all()
    return [tuple(row) for row in events], [tuple(row) for row in commits]


def execute(store: EventStore, *statements: str) -> None:
    """Run raw SQL statements in one transaction of their own."""
    with store.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def assert_refused_and_intact(store: EventStore, *statements: str) -> None:
    """Each statement is refused by a trigger; the tables and the chain are as they were."""
    before = snapshot(store)
    assert len(before[0]) == 5 and len(before[1]) == 2
    for statement in statements:
        with pytest.raises(sa_exc.DBAPIError, match="append-only") as caught:
            execute(store, statement)
        assert isinstance(translate(caught.value), ImmutableEvents)
    assert snapshot(store) == before
    report = store.verify()
    assert report.ok, report
    assert report.checked == 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET type = 'Disbanded' WHERE position = 3",
        "UPDATE events SET data = '{\"n\":30}' WHERE position = 3",
        "UPDATE events SET hash = prev_hash WHERE position = 5",
        "UPDATE events SET recorded_at = occurred_at",
        "UPDATE events SET position = position + 100 WHERE position = 5",
        "DELETE FROM events WHERE position = 3",
        "DELETE FROM events WHERE position = 5",
        "DELETE FROM events",
    ],
)
def test_update_and_delete_on_events_are_refused(filled: EventStore, statement: str) -> None:
    """The events table refuses UPDATE and DELETE of any row, the last one included."""
    assert_refused_and_intact(filled, statement)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE commits SET first_position = 4, last_position = 4 WHERE idempotency_key = 'cmd-1'",
        "UPDATE commits SET fingerprint = 'x'",
        "UPDATE commits SET idempotency_key = 'cmd-9' WHERE idempotency_key = 'cmd-3'",
        "DELETE FROM commits WHERE idempotency_key = 'cmd-1'",
        "DELETE FROM commits",
    ],
)
def test_update_and_delete_on_commits_are_refused(filled: EventStore, statement: str) -> None:
    """The commits table (idempotency keys) refuses UPDATE and DELETE as well."""
    assert_refused_and_intact(filled, statement)


def test_upsert_cannot_overwrite_an_event(filled: EventStore) -> None:
    """INSERT ... ON CONFLICT DO UPDATE runs the UPDATE triggers and is refused."""
    assert_refused_and_intact(
        filled,
        "INSERT INTO events SELECT * FROM events WHERE position = 3 "
        "ON CONFLICT (position) DO UPDATE SET type = 'Disbanded'",
        "INSERT INTO commits SELECT * FROM commits WHERE idempotency_key = 'cmd-1' "
        "ON CONFLICT (idempotency_key) DO UPDATE SET last_position = 5",
    )


def test_truncate_is_refused_on_postgresql(postgres_url: str) -> None:
    """On PostgreSQL TRUNCATE, which skips row triggers, is refused by its own trigger."""
    with EventStore.open(postgres_url, create=True) as store:
        fill(store)
        assert_refused_and_intact(
            store, "TRUNCATE events", "TRUNCATE commits", "TRUNCATE events, commits CASCADE"
        )


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[EventStore]:
    with EventStore.open(sqlite_url, create=True) as store:
        yield fill(store)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("INSERT OR REPLACE INTO events SELECT * FROM events WHERE position = 3",
         "append-only"),
        ("REPLACE INTO events SELECT position + 10, event_id, stream_id, category, "
         "version + 10, type, schema_version, data, metadata, occurred_at, recorded_at, "
         "prev_hash, hash, envelope, digests, salts FROM events WHERE position = 3", "event_id"),
        ("INSERT OR REPLACE INTO events SELECT position + 10, 'not-a-recorded-id', stream_id, "
         "category, version, type, schema_version, data, metadata, occurred_at, recorded_at, "
         "prev_hash, hash, envelope, digests, salts FROM events WHERE position = 3", "version"),
        ("INSERT OR REPLACE INTO commits SELECT idempotency_key, fingerprint, 1, 1, "
         "stream_versions, recorded_at FROM commits WHERE idempotency_key = 'cmd-3'",
         "append-only"),
    ],
    ids=["same-position", "same-event-id", "same-stream-version", "same-key"],
)
def test_sqlite_replace_cannot_overwrite_a_row(sqlite_store: EventStore, statement: str,
                                               message: str) -> None:
    """SQLite's REPLACE deletes without running DELETE triggers, so inserts check first."""
    before = snapshot(sqlite_store)
    with pytest.raises(sa_exc.IntegrityError, match=message):
        execute(sqlite_store, statement)
    assert snapshot(sqlite_store) == before
    assert sqlite_store.verify().ok


def test_refused_change_leaves_the_transaction_unwritten(filled: EventStore) -> None:
    """A transaction that inserts and then tries to delete writes neither."""
    before = snapshot(filled)
    with pytest.raises(sa_exc.DBAPIError, match="append-only"):
        execute(
            filled,
            "INSERT INTO commits SELECT 'cmd-forged', fingerprint, first_position, "
            "last_position, stream_versions, recorded_at FROM commits "
            "WHERE idempotency_key = 'cmd-1'",
            "DELETE FROM events WHERE position = 1",
        )
    assert snapshot(filled) == before
