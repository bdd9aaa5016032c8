"""Test helpers that do what the database normally forbids, to show it is caught."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from eventstore.canonical import GENESIS_HASH, canonical_json, event_hash
from eventstore.sealing import seal, sealed_problem
from eventstore.tables import APPEND_ONLY_TABLES, events, tree_hashes
from eventstore.tree import build_tree, forget_cached_borders


def drop_immutability(engine: Engine) -> None:
    """Remove every trigger guarding the store's tables, as an attacker with DDL rights could."""
    tables = ", ".join(f"'{table}'" for table in APPEND_ONLY_TABLES)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                f"JOIN pg_class c ON c.oid = t.tgrelid "
                f"WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid) "
                f"AND c.relname IN ({tables})"
            ).all()
            for trigger, table in rows:
                connection.exec_driver_sql(f"DROP TRIGGER {trigger} ON {table}")
        else:
            rows = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master "
                f"WHERE type = 'trigger' AND tbl_name IN ({tables})"
            ).all()
            for (trigger,) in rows:
                connection.exec_driver_sql(f"DROP TRIGGER {trigger}")


def rewrite_history(engine: Engine, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    """Rewrite the log as its owner could: `edit` the rows (a list of every event row, in
    order; insert, change or drop), then renumber, re-chain every hash, and rebuild the
    Merkle tree to match, so the chain and the tree alone both still verify.

    Call `drop_immutability` first. Envelope 2 rows whose payload was edited are sealed afresh.
    """
    with engine.begin() as connection:
        rows = [dict(row._mapping) for row in
                connection.execute(sa.select(events).order_by(events.c.position))]
        edit(rows)
        prev_hash = GENESIS_HASH
        for position, row in enumerate(rows, start=1):
            row["position"] = position
            row["prev_hash"] = prev_hash
            if row["envelope"] == 2 and sealed_problem(row["data"], row["digests"],
                                                       row["salts"]) is not None:
                # an edited payload, sealed afresh (new salts) as its owner could
                row["data"] = canonical_json(json.loads(row["data"]))
                row["digests"], row["salts"] = seal(row["data"])
            row["hash"] = event_hash(
                position=position, event_id=row["event_id"], stream_id=row["stream_id"],
                version=row["version"], type=row["type"],
                schema_version=row["schema_version"], occurred_at=row["occurred_at"],
                recorded_at=row["recorded_at"], prev_hash=prev_hash, data_json=row["data"],
                metadata_json=row["metadata"], envelope=row["envelope"],
                digests_json=row["digests"],
            )
            prev_hash = row["hash"]
        connection.execute(events.delete())
        connection.execute(tree_hashes.delete())
        if rows:
            connection.execute(events.insert(), rows)
        build_tree(connection)
    forget_cached_borders()
