"""Test helpers that do what the database normally forbids, to show it is caught."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def drop_immutability(engine: Engine) -> None:
    """Remove the append-only triggers, as an attacker with DDL rights could."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in ("events", "commits"):
                connection.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
                connection.exec_driver_sql(f"DROP TRIGGER {table}_no_truncate ON {table}")
        else:
            for table in ("events", "commits"):
                for operation in ("update", "delete"):
                    connection.exec_driver_sql(f"DROP TRIGGER {table}_no_{operation}")
