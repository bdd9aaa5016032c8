"""The read models' tables: created by ``opslog init`` with the log's, and as the code says."""

from __future__ import annotations

import sqlalchemy as sa

from eventstore import EventStore, schema
from opslog.database import alembic_config, check, initialise
from projections.readmodels.tables import metadata


def test_init_creates_the_log_and_the_read_models(database_url: str) -> None:
    """One upgrade builds every table, and the schema check finds nothing to change."""
    with EventStore.open(database_url) as store:
        initialise(store)
        tables = set(sa.inspect(store.engine).get_table_names())
        assert {"events", "commits", *metadata.tables} <= tables
        check(store)
        assert schema.current_heads(store.engine) == schema.expected_heads(alembic_config())


def test_init_on_an_existing_log_adds_the_read_models(store: EventStore) -> None:
    """A log migrated before the read models existed gains them, and init runs twice safely."""
    initialise(store)
    initialise(store)
    check(store)
    assert "projection_facts" in sa.inspect(store.engine).get_table_names()


def test_the_read_models_are_a_branch_on_the_store_history() -> None:
    """The projections branch starts from the store's first revision."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    base = scripts.get_revision("pj0001")
    assert base is not None
    assert (base.down_revision, base.dependencies, base.branch_labels) == (
        None, "es0001", {"projections"})
    assert scripts.get_revision("projections@head") is not None


def test_pj0011_clears_the_read_models_and_the_runner_rebuilds_them(
        database_url: str) -> None:
    """Read models written before board rows kept their status style are cleared by the
    upgrade; the runner then rebuilds every table as a fresh fold makes it."""
    from projections.readmodels.runner import Runner
    from projections.readmodels.tables import board, checkpoints, facts
    from tests.projections.builders import open_writer
    from tests.projections.q1_log import load_q1
    from tests.projections.tables_view import board_table, folded_board_rows, live_generation

    writer = open_writer(database_url)
    schema.upgrade(writer.store.engine, alembic_config(), "pj0009")
    load_q1(writer)
    with writer.store.engine.begin() as connection:
        connection.execute(sa.insert(checkpoints).values(
            projection="board", role="live", generation=1, position=3,
            updated_at=writer.clock()))
    schema.upgrade(writer.store.engine, alembic_config())
    with writer.store.engine.connect() as connection:
        assert [connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in (checkpoints, facts, board)] == [0, 0, 0]
    Runner(writer.store).catch_up()
    generation, position, horizon = live_generation(writer.store)
    assert position == writer.store.head().position
    assert board_table(writer.store, generation) == folded_board_rows(writer.store, horizon)
    writer.store.close()
