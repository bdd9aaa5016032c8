"""Bringing a database to the newest schema of every package that keeps tables."""

from __future__ import annotations

from eventstore import EventStore, schema


def initialise(store: EventStore) -> None:
    """Create or migrate every table (the log and, as they arrive, the read models)."""
    schema.upgrade(store.engine, schema.alembic_config())
