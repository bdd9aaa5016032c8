"""Fixtures for the scheduler: initialised databases, and a twin of one on the same backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventstore import EventStore
from eventstore.engine import normalise_url
from eventstore.tables import events, tree_hashes
from opslog.database import initialise
from tests.conftest import backend_of


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
    """Copy `source`'s events not yet in the target, recorded up to `until`, row for row
    (salts and digests included, so the hash chain is the same) with the Merkle tree nodes
    they complete. The new head."""
    with EventStore.open(target_url) as target:
        start = target.head().position + 1
        with source.engine.connect() as connection:
            query = sa.select(events).where(events.c.position >= start)
            if until is not None:
                query = query.where(events.c.recorded_at <= until)
            rows = [dict(row._mapping) for row in
                    connection.execute(query.order_by(events.c.position))]
            size = rows[-1]["position"] if rows else start - 1
            nodes = [dict(row._mapping) for row in connection.execute(
                sa.select(tree_hashes).where(tree_hashes.c.position.between(start, size)))]
        if rows:
            with target.engine.begin() as connection:
                connection.execute(events.insert(), rows)
                connection.execute(tree_hashes.insert(), nodes)
        return target.head().position
