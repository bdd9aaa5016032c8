"""A log recorded before es0004 gets its Merkle tree when it is migrated, and goes on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from eventstore import EventStore, NewEvent, schema
from eventstore.canonical import GENESIS_HASH, event_hash, format_time, hash_input
from eventstore.engine import create_engine
from eventstore.tables import events
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
