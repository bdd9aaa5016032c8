"""Test helpers that do what the database normally forbids, to show it is caught."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from eventstore.tables import APPEND_ONLY_TABLES


def drop_immutability(engine: Engine) -> None:
    """Remove every trigger guarding the store's tables, as an attacker with DDL rights could."""
    tables = ", ".join(f"'{table}'" for table in APPEND_ONLY_TABLES)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(
                "SELECT t.tgname, c.relname FROM pg_trigger t "  # noqa: S608
                f"JOIN pg_class c ON c.oid = t.tgrelid "
                f"WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid) "
                f"AND c.relname IN ({tables})"
            ).all()
            for trigger, table in rows:
                connection.exec_driver_sql(f"DROP TRIGGER {trigger} ON {table}")
        else:
            rows = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master "  # noqa: S608
                f"WHERE type = 'trigger' AND tbl_name IN ({tables})"
            ).all()
            for (trigger,) in rows:
                connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
