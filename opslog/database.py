"""Bringing a database to the newest schema of every package that keeps tables."""

from __future__ import annotations

from alembic.config import Config

from eventstore import EventStore, schema
from opslog.migrations import versions_path
from projections.readmodels.schema import alembic_config as projections_config


def alembic_config() -> Config:
    """The whole history: the log's, the read models' and the shell's."""
    return projections_config(extra_version_locations=[versions_path()])


def initialise(store: EventStore) -> None:
    """Create or migrate every table (the log and the read models) in one transaction."""
    schema.upgrade(store.engine, alembic_config())


def check(store: EventStore) -> None:
    """Raise when the database's tables and this code's disagree."""
    schema.check(store.engine, alembic_config())
