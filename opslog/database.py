"""Bringing a database to the newest schema of every package that keeps tables."""

from __future__ import annotations

from eventstore import EventStore, schema
from projections.schema import alembic_config


def initialise(store: EventStore) -> None:
    """Create or migrate every table: the log and the read models, in one transaction."""
    schema.upgrade(store.engine, alembic_config())


def check(store: EventStore) -> None:
    """Raise when the database's tables and this code's disagree."""
    schema.check(store.engine, alembic_config())
