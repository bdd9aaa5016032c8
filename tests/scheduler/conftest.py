"""Fixtures for the scheduler: initialised databases, and a twin of one on the same backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventstore import EventStore, NewEvent
from eventstore.engine import normalise_url
from opslog.database import initialise
from tests.conftest import backend_of
from tests.projections.builders import ManualClock


@pytest.fixture
def url(database_url: str) -> str:
    """An initialised, empty database (every table `opslog init` makes), on each backend."""
    with EventStore.open(database_url) as store:
        initialise(store)
    return database_url


@pytest.fixture
def twin_url(url: str, tmp_path: Path) -> Iterator[str]:
    """A second initialised database on the same backend as `url`."""
    if backend_of(url) == "sqlite":
        twin = f"sqlite:///{tmp_path / 'twin.db'}"
        dropped = None
    else:
        base = normalise_url(url)
        schema = f"t_{uuid.uuid4().hex[:16]}"
        admin = sa.create_engine(base.set(query={}))
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        twin = base.set(query={"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
        dropped = (admin, schema)
    with EventStore.open(twin) as store:
        initialise(store)
    try:
        yield twin
    finally:
        if dropped is not None:
            admin, schema = dropped
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def copy_log(source: EventStore, target_url: str, until: datetime | None = None) -> int:
    """Append `source`'s events not yet in the target, recorded up to `until`, each at its own
    recorded time: the same events, ids and times give the same hash chain. The new head."""
    clock = ManualClock()
    with EventStore.open(target_url, clock=clock) as target:
        start = target.head().position + 1
        for recorded in source.read_all(from_position=start):
            if until is not None and recorded.recorded_at > until:
                break
            clock.now = recorded.recorded_at
            target.append(recorded.stream_id, [NewEvent(
                type=recorded.type, data=recorded.data, metadata=recorded.metadata,
                occurred_at=recorded.occurred_at, event_id=recorded.event_id,
                schema_version=recorded.schema_version)])
        return target.head().position
