"""The Merkle tree's hashes grouped by the position that completes them.

es0004 kept one row per complete subtree keyed by (level, idx): a commit completing
nodes at eight levels wrote into eight places of that table's B-tree, and on SQLite the
extra pages cost appends a sixth to a quarter of their speed. ``tree_hashes`` keeps the
nodes above the leaves, one row per even position: the subtrees the event at
``position`` completes (those at (level, idx), level >= 1, with ``(idx + 1) * 2**level ==
position``), level 1 first, 32 bytes each. A commit's rows are then contiguous at the
end of the table, as its events are, and a commit of one event at an odd position
writes none. Leaves are recomputed from their events when a proof needs them.

The rows are regrouped from ``tree_nodes`` (no event is read or hashed again); a node the
old table lacks stops the upgrade with its address, for ``opslog verify`` to explain.
Downgrading splits the rows back into nodes and recomputes the leaves from the events.
Append-only triggers as for every table of the log (SQLite also refuses INSERT OR
REPLACE, as es0003 explains).

Revision ID: es0005
Revises: es0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tree import stored_leaves

revision: str = "es0005"
down_revision: str | Sequence[str] | None = "es0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HASH = 32
PAGE = 5_000
"""Positions regrouped per round of queries."""

TREE_NODES = sa.table(
    "tree_nodes", sa.column("level", sa.SmallInteger()), sa.column("idx", sa.BigInteger()),
    sa.column("hash", sa.LargeBinary()))
TREE_HASHES = sa.table(
    "tree_hashes", sa.column("position", sa.BigInteger()), sa.column("hashes", sa.LargeBinary()))
EVENTS = sa.table("events", sa.column("position", sa.BigInteger()))


def _head(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.max(EVENTS.c.position))).scalar() or 0)


def _nodes_completed(connection: sa.Connection, first: int, last: int
                     ) -> dict[tuple[int, int], bytes]:
    """The `tree_nodes` rows completed by positions [first, last], by (level, position)."""
    found: dict[tuple[int, int], bytes] = {}
    for level in range(1, last.bit_length()):
        low, high = -(-first >> level), last >> level  # idx + 1 in [low, high]
        if low > high:
            continue
        for row in connection.execute(
            sa.select(TREE_NODES.c.idx, TREE_NODES.c.hash).where(
                TREE_NODES.c.level == level, TREE_NODES.c.idx.between(low - 1, high - 1))
        ):
            found[(level, (int(row.idx) + 1) << level)] = bytes(row.hash)
    return found


def regroup_nodes(connection: sa.Connection) -> None:
    """Fill `tree_hashes` from `tree_nodes`, a page of positions at a time."""
    head = _head(connection)
    for first in range(1, head + 1, PAGE):
        last = min(first + PAGE - 1, head)
        nodes = _nodes_completed(connection, first, last)
        rows = []
        for position in range(first + first % 2, last + 1, 2):
            hashes = []
            for level in range(1, (position & -position).bit_length()):
                value = nodes.get((level, position))
                if value is None:
                    raise RuntimeError(
                        f"tree_nodes lacks node (level {level}, index "
                        f"{(position >> level) - 1}): run opslog verify before upgrading")
                hashes.append(value)
            rows.append({"position": position, "hashes": b"".join(hashes)})
        if rows:
            connection.execute(TREE_HASHES.insert(), rows)


def split_rows(connection: sa.Connection) -> None:
    """Fill `tree_nodes` from `tree_hashes` and the events' leaves (the downgrade), a page
    of positions at a time."""
    head = _head(connection)
    for first in range(1, head + 1, PAGE):
        last = min(first + PAGE - 1, head)
        rows = connection.execute(
            sa.select(TREE_HASHES.c.position, TREE_HASHES.c.hashes)
            .where(TREE_HASHES.c.position.between(first, last))).all()
        nodes = [{"level": 0, "idx": position - 1, "hash": leaf}
                 for position, leaf in stored_leaves(connection, first, last)]
        nodes.extend(
            {"level": level, "idx": (int(row.position) >> level) - 1,
             "hash": bytes(row.hashes[(level - 1) * HASH:level * HASH])}
            for row in rows for level in range(1, len(row.hashes) // HASH + 1)
        )
        if nodes:
            connection.execute(TREE_NODES.insert(), nodes)


def _append_only(table: str, existing: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION opslog_refuse_change()"
        )
        return
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


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        return
    for operation in ("update", "delete", "replace"):
        op.execute(f"DROP TRIGGER {table}_no_{operation}")


def upgrade() -> None:
    op.create_table(
        "tree_hashes",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "position >= 2 AND position % 2 = 0 AND length(hashes) >= 32 "
            "AND length(hashes) % 32 = 0", name=op.f("ck_tree_hashes_whole_nodes")),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_tree_hashes")),
    )
    regroup_nodes(op.get_bind())
    _drop_append_only("tree_nodes")
    op.drop_table("tree_nodes")
    _append_only("tree_hashes", "SELECT 1 FROM tree_hashes WHERE position = NEW.position")


def downgrade() -> None:
    op.create_table(
        "tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.CheckConstraint("level >= 0 AND idx >= 0", name=op.f("ck_tree_nodes_node_address")),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_tree_nodes")),
        sqlite_with_rowid=False,
    )
    split_rows(op.get_bind())
    _drop_append_only("tree_hashes")
    op.drop_table("tree_hashes")
    _append_only("tree_nodes", "SELECT 1 FROM tree_nodes WHERE level = NEW.level AND idx = NEW.idx")
