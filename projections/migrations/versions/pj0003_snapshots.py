"""Quarterly snapshots and their publications: immutable rows, like the log's.

``snapshots`` is keyed ``UNIQUE(quarter, cutoff_position)`` so that making the same
snapshot twice is a no-op (``INSERT … ON CONFLICT DO NOTHING``). Both tables refuse UPDATE
and DELETE. On SQLite a BEFORE INSERT trigger also turns an insert that would replace an
existing snapshot (``INSERT OR REPLACE``, which skips DELETE triggers) into a no-op, the
same outcome as ``ON CONFLICT DO NOTHING``.

Revision ID: pj0003
Revises: pj0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "pj0003"
down_revision: str | Sequence[str] | None = "pj0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("snapshots", "publications")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SQLITE_SNAPSHOTS_NO_REPLACE = """
CREATE TRIGGER snapshots_no_replace BEFORE INSERT ON snapshots
BEGIN
    SELECT RAISE(IGNORE) WHERE EXISTS (
        SELECT 1 FROM snapshots
        WHERE id = NEW.id OR (quarter = NEW.quarter AND cutoff_position = NEW.cutoff_position)
    );
END
"""

SQLITE_PUBLICATIONS_NO_REPLACE = """
CREATE TRIGGER publications_no_replace BEFORE INSERT ON publications
BEGIN
    SELECT RAISE(ABORT, 'table publications is append-only: INSERT would replace a row')
    WHERE EXISTS (SELECT 1 FROM publications WHERE id = NEW.id);
END
"""


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("quarter", sa.String(10), nullable=False),
        sa.Column("cutoff_at", UTCDateTime(), nullable=False),
        sa.Column("cutoff_position", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("board_state", sa.Text(), nullable=False),
        sa.Column("board_state_sha256", sa.String(64), nullable=False),
        sa.Column("narrative_state", sa.Text(), nullable=False),
        sa.Column("narrative_state_sha256", sa.String(64), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("markdown_sha256", sa.String(64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("opslog_version", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.CheckConstraint("cutoff_position >= 0",
                           name=op.f("ck_snapshots_position_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("quarter", "cutoff_position",
                            name=op.f("uq_snapshots_quarter_cutoff_position")),
    )
    op.create_table(
        "publications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("quarter", sa.String(10), nullable=False),
        sa.Column("snapshot_id", ID, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshots.id"],
                                name=op.f("fk_publications_snapshot_id_snapshots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_quarter_id"), "publications", ["quarter", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # opslog_refuse_change() comes with the log (es0001), which this branch depends on.
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION opslog_refuse_change()"
            )
    else:
        for table in APPEND_ONLY:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: "
                    f"{operation} refused'); END"
                )
        op.execute(SQLITE_SNAPSHOTS_NO_REPLACE)
        op.execute(SQLITE_PUBLICATIONS_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    else:
        op.execute("DROP TRIGGER publications_no_replace")
        op.execute("DROP TRIGGER snapshots_no_replace")
        for table in APPEND_ONLY:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{operation}")
    op.drop_index(op.f("ix_publications_quarter_id"), table_name="publications")
    op.drop_table("publications")
    op.drop_table("snapshots")
