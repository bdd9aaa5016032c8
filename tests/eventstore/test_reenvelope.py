"""A log of envelope 1 events stays verifiable as it is, and is moved to envelope 2 by
re-sealing its export into a new database, with each position's old and new hash recorded."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from eventstore import Erase, EventStore, NewEvent, schema
from eventstore.canonical import GENESIS_HASH, canonical_json, event_hash, format_time
from eventstore.engine import create_engine
from eventstore.errors import ImportRefused, InvalidEvent
from eventstore.export import export_log, verify_export
from eventstore.reenvelope import reenvelope
from eventstore.tables import events
from eventstore.tree import forget_cached_borders

OLD = 9
NAME = "Sergeant Ozymandias Quill"


@pytest.fixture
def v1_log(database_url: str) -> Iterator[EventStore]:
    """A log recorded before es0004 (every event envelope 1), migrated to the newest schema."""
    engine: Engine = create_engine(database_url)
    schema.upgrade(engine, revision="es0003")
    start = datetime(2018, 4, 1, 9, tzinfo=UTC)
    prev = GENESIS_HASH
    with engine.begin() as connection:
        for position in range(1, OLD + 1):
            moment = start + timedelta(minutes=position)
            data = canonical_json({"n": position, "narrative":
                                   f"{NAME} reported" if position == 4 else "routine"})
            row = {"position": position, "event_id": str(uuid.uuid4()),
                   "stream_id": f"unit-{position}", "category": "unit", "version": 1,
                   "type": "Reported", "schema_version": 1, "data": data,
                   "metadata": '{"actor":"a"}', "occurred_at": moment, "recorded_at": moment,
                   "prev_hash": prev}
            row["hash"] = prev = event_hash(
                position=position, event_id=row["event_id"], stream_id=row["stream_id"],
                version=1, type="Reported", schema_version=1, occurred_at=format_time(moment),
                recorded_at=format_time(moment), prev_hash=prev, data_json=data,
                metadata_json='{"actor":"a"}')
            connection.execute(events.insert().values(row))
    schema.upgrade(engine)
    forget_cached_borders()
    yield EventStore(engine)
    engine.dispose()
    forget_cached_borders()


def test_a_v1_log_verifies_as_it_is_and_its_values_cannot_be_erased(
        v1_log: EventStore) -> None:
    assert v1_log.verify().ok
    assert {e.envelope for e in v1_log.read_all()} == {1}
    with pytest.raises(InvalidEvent, match="envelope 1"):
        v1_log.erase([Erase(4, "narrative", "[erased]")], "erasure-1",
                     NewEvent("Erased", {}))
    exported = io.BytesIO()
    export_log(v1_log, exported)
    assert verify_export(io.BytesIO(exported.getvalue())).ok


def test_reenveloping_moves_every_event_to_v2_and_records_the_hash_mapping(
        v1_log: EventStore, tmp_path: Path) -> None:
    exported = io.BytesIO()
    export_log(v1_log, exported)
    old = list(v1_log.read_all())
    mapping = io.StringIO()
    with EventStore.open(f"sqlite:///{tmp_path / 'v2.db'}", create=True) as new_log:
        report = reenvelope(new_log, io.BytesIO(exported.getvalue()), mapping)
        assert report.ok and report.checked == OLD
        assert new_log.verify().ok
        moved = list(new_log.read_all())
        assert {e.envelope for e in moved} == {2}
        for before, after in zip(old, moved, strict=True):
            assert (after.position, after.event_id, after.stream_id, after.version,
                    after.data, after.metadata, after.occurred_at, after.recorded_at) == (
                before.position, before.event_id, before.stream_id, before.version,
                before.data, before.metadata, before.occurred_at, before.recorded_at)
            assert after.hash != before.hash
        lines = [json.loads(line) for line in mapping.getvalue().splitlines()]
        assert lines == [{"position": b.position, "v1_hash": b.hash, "v2_hash": a.hash}
                         for b, a in zip(old, moved, strict=True)]
        # now the name can go
        new_log.erase([Erase(4, "narrative", "[erased]")], "erasure-1", NewEvent("Erased", {}))
        assert new_log.verify().ok
        again = io.BytesIO()
        export_log(new_log, again)
        assert NAME.encode() not in again.getvalue()
        assert verify_export(io.BytesIO(again.getvalue())).ok
        with pytest.raises(ImportRefused, match="not empty"):
            reenvelope(new_log, io.BytesIO(exported.getvalue()), io.StringIO())
