"""A log recorded before es0004 gets its Merkle tree when it is migrated, and goes on; es0005
regroups that tree by position, and a downgrade splits it back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from eventstore import EventStore, NewEvent, schema
from eventstore.canonical import GENESIS_HASH, event_hash, format_time, hash_input
from eventstore.engine import create_engine
from eventstore.migrations.versions.es0004_envelope_v2 import build_tree_nodes
from eventstore.tables import events, tree_hashes
from eventstore.transparency.merkle import leaf_hash
from eventstore.tree import forget_cached_borders, root_at
from tests.eventstore.transparency.reference import Reference

OLD = 23


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_engine(database_url)
    try:
        yield created
    finally:
        created.dispose()
        forget_cached_borders()


def test_es0004_builds_the_tree_of_an_existing_log(engine: Engine) -> None:
    schema.upgrade(engine, revision="es0003")
    start = datetime(2018, 4, 1, 9, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    inputs: list[bytes] = []
    prev = GENESIS_HASH
    versions: dict[str, int] = {}
    for position in range(1, OLD + 1):
        stream = f"unit-{position % 4}"
        versions[stream] = versions.get(stream, 0) + 1
        moment = start + timedelta(minutes=position)
        row: dict[str, object] = {
               "position": position, "event_id": str(uuid.uuid4()),
               "stream_id": stream, "category": "unit", "version": versions[stream],
               "type": "Reported", "schema_version": 1, "data": f'{{"n":{position}}}',
               "metadata": "{}", "occurred_at": moment,
               "recorded_at": moment, "prev_hash": prev}
        fields: dict[str, object] = dict(
            position=position, event_id=row["event_id"], stream_id=stream,
            version=versions[stream], type="Reported", schema_version=1,
            occurred_at=format_time(moment), recorded_at=format_time(moment),
            prev_hash=prev, data_json=row["data"], metadata_json="{}")
        row["hash"] = prev = event_hash(**fields)  # type: ignore[arg-type]
        inputs.append(hash_input(**fields))  # type: ignore[arg-type]
        rows.append(row)
    with engine.begin() as connection:
        for row in rows:  # the columns es0003 has: the envelope ones come with es0004
            connection.execute(events.insert().values(row))
    schema.upgrade(engine)
    store = EventStore(engine)
    reference = Reference(tuple(inputs))
    with engine.connect() as connection:
        for size in range(1, OLD + 1):
            assert root_at(connection, size) == reference.mth(0, size)
    store.append("unit-new", [NewEvent("Reported", {"n": 99})])
    last = list(store.read_all())[-1]
    with engine.connect() as connection:
        grown = root_at(connection, OLD + 1)
    data = hash_input(position=last.position, event_id=last.event_id,
                      stream_id=last.stream_id, version=last.version, type=last.type,
                      schema_version=last.schema_version, occurred_at=last.occurred_at,
                      recorded_at=last.recorded_at, prev_hash=last.prev_hash,
                      data_json=last.data_json, metadata_json=last.metadata_json,
                      envelope=last.envelope, digests_json=last.digests_json)
    assert last.envelope == 2  # a v1 log goes on with v2 events, both verifying
    assert grown == Reference((*inputs, data)).mth(0, OLD + 1)
    assert leaf_hash(data) != grown
    assert store.verify().ok


def test_es0005_regroups_the_nodes_and_the_downgrade_splits_them_back(engine: Engine) -> None:
    """A log whose tree es0004 stored by (level, idx) keeps the same roots once es0005
    regroups it by position, and a downgrade gives back es0004's rows exactly."""
    schema.upgrade(engine, revision="es0004")
    with engine.begin() as connection:
        connection.execute(events.insert(), _old_rows(OLD))
    with engine.begin() as connection:  # what es0004 wrote for a log it found
        build_tree_nodes(connection)
        nodes = set(connection.exec_driver_sql("SELECT level, idx, hash FROM tree_nodes"))
    assert len(nodes) == 2 * OLD - OLD.bit_count()
    schema.upgrade(engine)
    with engine.connect() as connection:
        stored = {int(p): bytes(h) for p, h in connection.execute(
            sa.select(tree_hashes.c.position, tree_hashes.c.hashes))}
        assert sorted(stored) == list(range(2, OLD + 1, 2))
        for level, idx, value in nodes:
            if level:
                start = (level - 1) * 32
                assert stored[(idx + 1) << level][start:start + 32] == bytes(value)
    store = EventStore(engine)
    assert store.verify().ok
    schema.downgrade(engine, revision="es0004")
    with engine.connect() as connection:
        back = {(int(a), int(b), bytes(c)) for a, b, c in connection.exec_driver_sql(
            "SELECT level, idx, hash FROM tree_nodes")}
    assert back == {(int(a), int(b), bytes(c)) for a, b, c in nodes}


def _old_rows(count: int) -> list[dict[str, object]]:
    """`count` chained envelope 1 events as a log recorded before es0005 holds them."""
    start = datetime(2018, 4, 1, 9, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    prev = GENESIS_HASH
    for position in range(1, count + 1):
        moment = start + timedelta(minutes=position)
        fields: dict[str, object] = dict(
            position=position, event_id=str(uuid.uuid4()), stream_id="unit-1",
            version=position, type="Reported", schema_version=1,
            occurred_at=format_time(moment), recorded_at=format_time(moment),
            prev_hash=prev, data_json=f'{{"n":{position}}}', metadata_json="{}")
        digest = event_hash(**fields)  # type: ignore[arg-type]
        rows.append({"position": position, "event_id": fields["event_id"],
                     "stream_id": "unit-1", "category": "unit", "version": position,
                     "type": "Reported", "schema_version": 1, "data": fields["data_json"],
                     "metadata": "{}", "occurred_at": moment, "recorded_at": moment,
                     "prev_hash": prev, "hash": digest, "envelope": 1})
        prev = digest
    return rows
