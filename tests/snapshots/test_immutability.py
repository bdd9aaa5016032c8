"""Snapshots and publications are append-only, enforced by the database itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from catalogue import Quarter
from eventstore import schema
from opslog.database import alembic_config
from projections.snapshots.publishing import publish
from projections.snapshots.registry import load_snapshot
from projections.snapshots.tables import publications, snapshots
from projections.snapshots.taking import take_snapshot
from tests.projections.builders import LogWriter, at, open_writer
from tests.projections.q1_log import Q1Log, load_q1
from tests.snapshots.conftest import maker

Q1 = Quarter(2018, 1)


@pytest.fixture
def published(writer: LogWriter, q1: Q1Log) -> int:
    """A snapshot of Quarter 1, published; its id."""
    taken = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    publish(writer.store, Q1, published_by="alice", now=at("2018-08-02T09:00"))
    return taken.info.id


@pytest.mark.parametrize("table", [snapshots, publications], ids=lambda table: table.name)
def test_update_and_delete_are_refused(writer: LogWriter, published: int,
                                       table: sa.Table) -> None:
    """UPDATE and DELETE on either table fail, and the row stays as it was."""
    column = "markdown" if table is snapshots else "published_by"
    with pytest.raises(sa_exc.DBAPIError, match="append-only"), \
            writer.store.engine.begin() as connection:
        connection.execute(sa.update(table).values({column: "altered"}))
    with pytest.raises(sa_exc.DBAPIError, match="append-only"), \
            writer.store.engine.begin() as connection:
        connection.execute(sa.delete(table))
    with writer.store.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 1
        assert "altered" not in {row[0] for row in connection.execute(sa.select(table.c[column]))}


def _snapshot_in(url: str) -> tuple[LogWriter, int]:
    writer = open_writer(url)
    schema.upgrade(writer.store.engine, alembic_config())
    load_q1(writer)
    return writer, take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker()).info.id


def _copy_of(snapshot_id: int) -> str:
    """SELECT the row again with its Markdown altered."""
    values = ", ".join("'altered'" if column.name == "markdown" else column.name
                       for column in snapshots.c)
    return f"SELECT {values} FROM snapshots WHERE id = {snapshot_id}"


def test_sqlite_insert_or_replace_leaves_a_snapshot_alone(sqlite_url: str) -> None:
    """INSERT OR REPLACE skips DELETE triggers; a BEFORE INSERT trigger makes it a no-op."""
    writer, snapshot_id = _snapshot_in(sqlite_url)
    with writer.store.engine.connect() as connection:
        before = load_snapshot(connection, snapshot_id)
    columns = ", ".join(column.name for column in snapshots.c)
    with writer.store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO snapshots ({columns}) {_copy_of(snapshot_id)}")
    with writer.store.engine.connect() as connection:
        assert load_snapshot(connection, snapshot_id) == before
    writer.store.close()


def test_postgresql_upsert_over_a_snapshot_is_refused(postgres_url: str) -> None:
    """ON CONFLICT DO UPDATE runs the UPDATE trigger, which refuses it."""
    writer, snapshot_id = _snapshot_in(postgres_url)
    columns = ", ".join(column.name for column in snapshots.c)
    with pytest.raises(sa_exc.DBAPIError, match="append-only"), \
            writer.store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO snapshots ({columns}) {_copy_of(snapshot_id)} "
            "ON CONFLICT (id) DO UPDATE SET markdown = EXCLUDED.markdown")
    writer.store.close()
