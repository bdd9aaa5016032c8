"""Envelope v2: salted payload digests, the Merkle tree, checkpoints and guarded erasure.

One change of what every event stores, made once:

* ``events.envelope`` (1 for every event recorded before this revision, 2 after),
  ``events.digests`` (v2: the canonical JSON of one salted SHA-256 per payload field, which
  the event hash commits to instead of the payload text) and ``events.salts`` (v2: the
  per-field salts; erasable).
* ``tree_nodes``: every complete subtree of the RFC 9162 Merkle tree over positions, so a
  root or a proof is a few primary-key reads. Existing logs get their tree here.
* ``checkpoints``: signed checkpoints as made.
* ``erasures``: which field of which event an erasure event removed.

The events table stays append-only except for one path: an UPDATE that changes only
``data`` and ``salts`` of a v2 event, for fields listed in ``erasures`` against it, removing
exactly those fields' salts. An ``erasures`` row can only be written in the transaction
of the erasure event that names it in its metadata (``"erases": [[position, field], …]``,
the newest event), so the one mutable path opens only under that event.

Revision ID: es0004
Revises: es0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime
from eventstore.transparency.compact import CompactTree
from eventstore.tree import stored_leaves

revision: str = "es0004"
down_revision: str | Sequence[str] | None = "es0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_APPEND_ONLY = ("tree_nodes", "checkpoints", "erasures")

IMMUTABLE_EVENT_COLUMNS = (
    "position", "event_id", "stream_id", "category", "version", "type", "schema_version",
    "metadata", "occurred_at", "recorded_at", "prev_hash", "hash", "envelope", "digests",
)

POSTGRES_GUARD_EVENTS = """
CREATE FUNCTION opslog_guard_event_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    erased text[];
BEGIN
    SELECT array_agg(field) INTO erased FROM erasures WHERE target_position = OLD.position;
    IF erased IS NULL OR OLD.envelope <> 2 OR ({new_columns}) IS DISTINCT FROM ({old_columns})
    THEN
        RAISE EXCEPTION 'table events is append-only: UPDATE refused'
            USING ERRCODE = 'raise_exception';
    END IF;
    IF NEW.salts::jsonb IS DISTINCT FROM (OLD.salts::jsonb - erased)
       OR (NEW.data::jsonb - erased) IS DISTINCT FROM (OLD.data::jsonb - erased)
       OR NOT (NEW.data::jsonb ?& erased)
    THEN
        RAISE EXCEPTION 'table events: an erasure changes only the erased fields'
            USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END;
$$
"""

POSTGRES_GUARD_ERASURES = """
CREATE FUNCTION opslog_guard_erasure_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.erasure_position IS DISTINCT FROM (SELECT max(position) FROM events)
       OR NEW.target_position >= NEW.erasure_position
       OR NOT EXISTS (
           SELECT 1 FROM events WHERE position = NEW.target_position AND envelope = 2)
       OR NOT EXISTS (
           SELECT 1 FROM events e,
               jsonb_array_elements(coalesce(e.metadata::jsonb -> 'erases', '[]'::jsonb)) x
           WHERE e.position = NEW.erasure_position
             AND (x ->> 0)::bigint = NEW.target_position AND x ->> 1 = NEW.field)
    THEN
        RAISE EXCEPTION 'table erasures: only the newest event may erase, and only what its '
            'metadata names' USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NEW;
END;
$$
"""


TREE_NODES = sa.table(
    "tree_nodes", sa.column("level", sa.SmallInteger()), sa.column("idx", sa.BigInteger()),
    sa.column("hash", sa.LargeBinary()))
"""This revision's layout of the tree: one row per node, keyed by (level, idx); es0005
regroups the rows by the position that completes them."""


def build_tree_nodes(connection: sa.Connection, batch: int = 5_000) -> None:
    """Every complete subtree of the tree over the stored events, into `tree_nodes`."""
    tree = CompactTree()
    rows: list[dict[str, object]] = []
    for position, leaf in stored_leaves(connection):
        if position != tree.size + 1:
            raise RuntimeError(f"position {tree.size + 1} is missing: the tree cannot be built")
        rows.extend({"level": n.level, "idx": n.index, "hash": n.hash}
                    for n in tree.append(leaf))
        if len(rows) >= batch:
            connection.execute(TREE_NODES.insert(), rows)
            rows.clear()
    if rows:
        connection.execute(TREE_NODES.insert(), rows)


def _path(key: str) -> str:
    return f"'$.\"' || {key} || '\"'"


SQLITE_GUARD_EVENTS = f"""
CREATE TRIGGER events_update_erasure_only BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'table events is append-only: UPDATE refused')
    WHERE NOT EXISTS (SELECT 1 FROM erasures WHERE target_position = OLD.position)
       OR OLD.envelope <> 2
       OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE_EVENT_COLUMNS)};
    SELECT RAISE(ABORT, 'table events: an erasure changes only the erased fields')
    WHERE EXISTS (
        SELECT 1 FROM json_each(OLD.salts) o
        WHERE (o.key IN (SELECT field FROM erasures WHERE target_position = OLD.position))
           <> (json_type(NEW.salts, {_path("o.key")}) IS NULL)
           OR (o.key NOT IN (SELECT field FROM erasures WHERE target_position = OLD.position)
               AND json_extract(NEW.salts, {_path("o.key")}) IS NOT o.value)
    )
       OR EXISTS (
        SELECT 1 FROM json_each(NEW.salts) n
        WHERE json_type(OLD.salts, {_path("n.key")}) IS NULL
    )
       OR EXISTS (
        SELECT 1 FROM json_each(OLD.data) o
        WHERE json_type(NEW.data, {_path("o.key")}) IS NULL
           OR (o.key NOT IN (SELECT field FROM erasures WHERE target_position = OLD.position)
               AND (json_type(NEW.data, {_path("o.key")}) IS NOT o.type
                    OR json_extract(NEW.data, {_path("o.key")}) IS NOT
                       json_extract(OLD.data, {_path("o.key")})))
    )
       OR EXISTS (
        SELECT 1 FROM json_each(NEW.data) n
        WHERE json_type(OLD.data, {_path("n.key")}) IS NULL
    );
END
"""  # noqa: S608 (every name in it is a constant)

SQLITE_GUARD_ERASURES = """
CREATE TRIGGER erasures_named_by_event BEFORE INSERT ON erasures
BEGIN
    SELECT RAISE(ABORT,
        'table erasures: only the newest event may erase, and only what its metadata names')
    WHERE NEW.erasure_position IS NOT (SELECT max(position) FROM events)
       OR NEW.target_position >= NEW.erasure_position
       OR NOT EXISTS (
           SELECT 1 FROM events WHERE position = NEW.target_position AND envelope = 2)
       OR NOT EXISTS (
           SELECT 1 FROM events e, json_each(e.metadata, '$.erases') x
           WHERE e.position = NEW.erasure_position
             AND json_extract(x.value, '$[0]') = NEW.target_position
             AND json_extract(x.value, '$[1]') = NEW.field);
END
"""

SQLITE_NO_REPLACE = {
    "tree_nodes": "SELECT 1 FROM tree_nodes WHERE level = NEW.level AND idx = NEW.idx",
    "checkpoints": "SELECT 1 FROM checkpoints WHERE id = NEW.id",
    "erasures": (
        "SELECT 1 FROM erasures WHERE target_position = NEW.target_position "
        "AND field = NEW.field"
    ),
}


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy would drop SQLite's triggers.
    op.add_column("events", sa.Column("envelope", sa.SmallInteger(), nullable=False,
                                      server_default=sa.text("1")))
    op.add_column("events", sa.Column("digests", sa.Text(), nullable=True))
    op.add_column("events", sa.Column("salts", sa.Text(), nullable=True))
    op.create_table(
        "tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.CheckConstraint("level >= 0 AND idx >= 0", name=op.f("ck_tree_nodes_node_address")),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_tree_nodes")),
        sqlite_with_rowid=False,  # one B-tree, not a rowid table and an index: half the pages
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("tree_size >= 0",
                           name=op.f("ck_checkpoints_tree_size_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
    )
    op.create_index(op.f("ix_checkpoints_tree_size"), "checkpoints", ["tree_size"])
    op.create_table(
        "erasures",
        sa.Column("target_position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("erasure_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("target_position", "field", name=op.f("pk_erasures")),
    )
    build_tree_nodes(op.get_bind())  # the tree of a log recorded before this revision
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
    )
    op.execute(POSTGRES_GUARD_EVENTS.format(
        new_columns=", ".join(f"NEW.{c}" for c in IMMUTABLE_EVENT_COLUMNS),
        old_columns=", ".join(f"OLD.{c}" for c in IMMUTABLE_EVENT_COLUMNS),
    ))
    op.execute(
        "CREATE TRIGGER events_update_erasure_only BEFORE UPDATE ON events "
        "FOR EACH ROW EXECUTE FUNCTION opslog_guard_event_update()"
    )
    op.execute(POSTGRES_GUARD_ERASURES)
    op.execute(
        "CREATE TRIGGER erasures_named_by_event BEFORE INSERT ON erasures "
        "FOR EACH ROW EXECUTE FUNCTION opslog_guard_erasure_insert()"
    )
    for table in NEW_APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION opslog_refuse_change()"
        )


def _sqlite_triggers() -> None:
    op.execute("DROP TRIGGER events_no_update")
    op.execute(SQLITE_GUARD_EVENTS)
    op.execute(SQLITE_GUARD_ERASURES)
    for table, existing in SQLITE_NO_REPLACE.items():
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: "
                f"{operation} refused'); END"
            )
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'table {table} is append-only: INSERT would replace a row') "
            f"WHERE EXISTS ({existing}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NEW_APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER erasures_named_by_event ON erasures")
        op.execute("DROP FUNCTION opslog_guard_erasure_insert()")
        op.execute("DROP TRIGGER events_update_erasure_only ON events")
        op.execute("DROP FUNCTION opslog_guard_event_update()")
        op.execute("DROP TRIGGER events_no_delete ON events")
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
        )
    else:
        for table in NEW_APPEND_ONLY:
            for operation in ("update", "delete", "replace"):
                op.execute(f"DROP TRIGGER {table}_no_{operation}")
        op.execute("DROP TRIGGER erasures_named_by_event")
        op.execute("DROP TRIGGER events_update_erasure_only")
        op.execute(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'table events is append-only: UPDATE refused'); END"
        )
    op.drop_table("erasures")
    op.drop_index(op.f("ix_checkpoints_tree_size"), table_name="checkpoints")
    op.drop_table("checkpoints")
    op.drop_table("tree_nodes")
    for column in ("salts", "digests", "envelope"):
        op.drop_column("events", column)
