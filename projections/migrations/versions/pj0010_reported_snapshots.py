"""A snapshot may be cut on the declared date as well as on the recorded time.

``cutoff_reported`` holds the ``--as-reported`` date a snapshot was cut on (``YYYY-MM-DD``),
or ``''`` for a snapshot cut on recorded time only (every snapshot before this revision).
It joins the key: ``UNIQUE(quarter, cutoff_position, cutoff_reported)``, so the same log
position gives one snapshot per declared date, and making it again is still a no-op.

PostgreSQL drops and adds the constraint. SQLite cannot drop a table's UNIQUE constraint, so
the table is made again: its rows are copied aside, the table dropped (which drops its
triggers; ``defer_foreign_keys`` lets the publications that reference it wait for the rows
to come back in the same transaction) and created with the new key, the rows put back with
their ids, and the append-only triggers made again.

Revision ID: pj0010_reported_snapshots
Revises: pj0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "pj0010_reported_snapshots"
down_revision: str | Sequence[str] | None = "pj0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_KEY = "uq_snapshots_quarter_cutoff_position"
NEW_KEY = "uq_snapshots_quarter_cutoff_position_cutoff_reported"
COLUMNS = ("id, quarter, cutoff_at, cutoff_position, head_hash, board_state, "
           "board_state_sha256, narrative_state, narrative_state_sha256, markdown, "
           "markdown_sha256, html, html_sha256, opslog_version, created_at, created_by, "
           "checkpoint_id")


def _no_replace(key: str) -> str:
    return f"""
CREATE TRIGGER snapshots_no_replace BEFORE INSERT ON snapshots
BEGIN
    SELECT RAISE(IGNORE) WHERE EXISTS (
        SELECT 1 FROM snapshots
        WHERE id = NEW.id OR ({key})
    );
END
"""  # noqa: S608 (the key is one of the two constants below)


NEW_MATCH = ("quarter = NEW.quarter AND cutoff_position = NEW.cutoff_position "
             "AND cutoff_reported = NEW.cutoff_reported")
OLD_MATCH = "quarter = NEW.quarter AND cutoff_position = NEW.cutoff_position"


def _table(*key: str, reported: bool) -> None:
    columns = [
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
        sa.Column("checkpoint_id", ID, nullable=True),
    ]
    if reported:
        columns.append(sa.Column("cutoff_reported", sa.String(10), nullable=False,
                                 server_default=""))
    op.create_table(
        "snapshots", *columns,
        sa.CheckConstraint("cutoff_position >= 0",
                           name=op.f("ck_snapshots_position_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint(*key, name=op.f(NEW_KEY if reported else OLD_KEY)),
    )


def _rebuild_sqlite(*key: str, reported: bool) -> None:
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TABLE snapshots_copy AS SELECT {COLUMNS} FROM snapshots")  # noqa: S608
    op.execute("DROP TABLE snapshots")
    _table(*key, reported=reported)
    copied = COLUMNS + (", cutoff_reported" if reported else "")
    source = COLUMNS + (", ''" if reported else "")
    op.execute(f"INSERT INTO snapshots ({copied}) SELECT {source} FROM snapshots_copy")  # noqa: S608
    op.execute("DROP TABLE snapshots_copy")
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER snapshots_no_{operation.lower()} BEFORE {operation} ON "
                   f"snapshots BEGIN SELECT RAISE(ABORT, 'table snapshots is append-only: "
                   f"{operation} refused'); END")
    op.execute(_no_replace(NEW_MATCH if reported else OLD_MATCH))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("snapshots", sa.Column("cutoff_reported", sa.String(10), nullable=False,
                                             server_default=""))
        op.drop_constraint(op.f(OLD_KEY), "snapshots", type_="unique")
        op.create_unique_constraint(op.f(NEW_KEY), "snapshots",
                                    ["quarter", "cutoff_position", "cutoff_reported"])
    else:
        _rebuild_sqlite("quarter", "cutoff_position", "cutoff_reported", reported=True)


def downgrade() -> None:
    """Back to one snapshot per quarter and position: those cut on a declared date cannot
    be kept under that key, so the downgrade refuses while any exists."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM snapshots WHERE cutoff_reported <> ''")
                    ).scalar():
        raise RuntimeError("snapshots cut on a declared date exist: they have no place "
                           "before pj0010_reported_snapshots")
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(NEW_KEY), "snapshots", type_="unique")
        op.create_unique_constraint(op.f(OLD_KEY), "snapshots", ["quarter", "cutoff_position"])
        op.drop_column("snapshots", "cutoff_reported")
    else:
        _rebuild_sqlite("quarter", "cutoff_position", reported=False)
