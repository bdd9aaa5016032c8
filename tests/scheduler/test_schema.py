"""The scheduler keeps no table: the job table op0001 made is dropped by op0002."""

from __future__ import annotations

import sqlalchemy as sa

from eventstore import EventStore, schema
from opslog.database import alembic_config, check, initialise


def tables(store: EventStore) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_init_drops_the_job_table_and_whatever_it_held(database_url: str) -> None:
    """A database made when jobs were stored, its job table holding a row: `opslog init`
    drops the table, and the schema then agrees with the code."""
    config = alembic_config()
    with EventStore.open(database_url) as store:
        schema.upgrade(store.engine, config, "op0001")
        with store.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO apscheduler_jobs (id, next_run_time, job_state) "
                        "VALUES ('planted', 0, :state)"), {"state": b"\x80\x04N."})
        initialise(store)
        assert "apscheduler_jobs" not in tables(store)
        assert schema.current_heads(store.engine) == schema.expected_heads(config)
        assert "op0002" in schema.current_heads(store.engine)
        check(store)


def test_the_downgrade_gives_the_empty_table_back(database_url: str) -> None:
    """Down to op0001 the table is back as it was made, empty; up again it is gone."""
    config = alembic_config()
    with EventStore.open(database_url) as store:
        initialise(store)
        schema.downgrade(store.engine, config, "op0001")
        assert "op0001" in schema.current_heads(store.engine)
        with store.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT count(*) FROM apscheduler_jobs")).scalar()
        assert rows == 0
        columns = {column["name"] for column in sa.inspect(store.engine).get_columns(
            "apscheduler_jobs")}
        assert columns == {"id", "next_run_time", "job_state"}
        initialise(store)
        assert "apscheduler_jobs" not in tables(store)
