"""Milestone spans: which quarters each milestone is on the board in, by position.

Revision ID: pj0002
Revises: pj0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pj0002"
down_revision: str | Sequence[str] | None = "pj0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "milestone_spans",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.String(80), nullable=False),
        sa.Column("known_from", sa.BigInteger(), nullable=False),
        sa.Column("known_to", sa.BigInteger(), nullable=True),
        sa.Column("first_quarter", sa.Integer(), nullable=False),
        sa.Column("last_quarter", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("generation", "milestone_id", "known_from",
                                name=op.f("pk_milestone_spans")),
    )
    op.create_index(op.f("ix_milestone_spans_generation_last_quarter"), "milestone_spans",
                    ["generation", "last_quarter"])
    # The read models are derived data, and a generation built before spans would answer
    # wrongly without them: empty them, so the next catch-up builds them again from the log
    # (until then every question is answered by folding the log).
    for table in ("projection_checkpoints", "projection_facts", "milestone_board"):
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names


def downgrade() -> None:
    op.drop_index(op.f("ix_milestone_spans_generation_last_quarter"),
                  table_name="milestone_spans")
    op.drop_table("milestone_spans")
