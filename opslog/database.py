"""Bringing a database to the newest schema of every package that keeps tables."""

from __future__ import annotations

from alembic.config import Config

from commands.identity.tables import metadata as commands_metadata
from commands.migrations import versions_path as commands_versions
from commands.write_model import tables as _write_model_tables  # noqa: F401 - its table
from eventstore import EventStore, schema
from opslog.migrations import versions_path
from projections.readmodels.schema import alembic_config as projections_config


def alembic_config() -> Config:
    """The whole history: the log's, the read models', the write side's (tokens) and the
    shell's."""
    return projections_config(extra_version_locations=[commands_versions(), versions_path()],
                              extra_metadata=[commands_metadata])


def initialise(store: EventStore) -> None:
    """Create or migrate every table (the log and the read models) in one transaction."""
    schema.upgrade(store.engine, alembic_config())


def check(store: EventStore) -> None:
    """Raise when the database's tables and this code's disagree."""
    schema.check(store.engine, alembic_config())
