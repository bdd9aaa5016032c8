"""Doing what the database forbids to snapshot rows, to show that it is caught."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from projections.snapshots.tables import APPEND_ONLY_TABLES, snapshots


def drop_snapshot_immutability(engine: Engine) -> None:
    """Remove the snapshot tables' UPDATE and DELETE triggers, as someone with DDL rights could."""
    with engine.begin() as connection:
        for table in APPEND_ONLY_TABLES:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                for operation in ("update", "delete"):
                    connection.exec_driver_sql(f"DROP TRIGGER {table}_no_{operation}")


def alter_snapshot(engine: Engine, snapshot_id: int, **values: object) -> None:
    """Overwrite columns of a stored snapshot (its triggers dropped first)."""
    with engine.begin() as connection:
        connection.execute(sa.update(snapshots).where(snapshots.c.id == snapshot_id)
                           .values(**values))
