"""Read models: projection checkpoints, versioned facts and the milestone board.

Revision ID: pj0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "pj0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("projections",)
depends_on: str | Sequence[str] | None = "es0001"


def upgrade() -> None:
    op.create_table(
        "projection_checkpoints",
        sa.Column("projection", sa.String(60), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=True),
        sa.Column("failed_position", sa.BigInteger(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('live', 'building')",
                           name=op.f("ck_projection_checkpoints_role")),
        sa.PrimaryKeyConstraint("projection", "role", name=op.f("pk_projection_checkpoints")),
    )
    op.create_table(
        "projection_facts",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("known_from", sa.BigInteger(), nullable=False),
        sa.Column("known_to", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("milestone_id", sa.String(80), nullable=True),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("from_quarter", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("retraction", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("generation", "event_id", "known_from",
                                name=op.f("pk_projection_facts")),
    )
    op.create_index(op.f("ix_projection_facts_generation_milestone_id"), "projection_facts",
                    ["generation", "milestone_id"])
    op.create_index(op.f("ix_projection_facts_generation_type_quarter"), "projection_facts",
                    ["generation", "type", "quarter"])
    op.create_table(
        "milestone_board",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("quarter_number", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.String(80), nullable=False),
        sa.Column("quarter", sa.String(10), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("theme_number", sa.Integer(), nullable=True),
        sa.Column("theme_title", sa.String(300), nullable=True),
        sa.Column("topic_id", sa.String(80), nullable=False),
        sa.Column("topic_title", sa.String(300), nullable=True),
        sa.Column("owner_unit", sa.String(80), nullable=False),
        sa.Column("owner_name", sa.String(300), nullable=True),
        sa.Column("due_quarter", sa.String(10), nullable=False),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("symbol", sa.String(4), nullable=False),
        sa.Column("rescheduled_to", sa.String(10), nullable=True),
        sa.Column("last_report_quarter", sa.String(10), nullable=True),
        sa.Column("last_report_date", sa.Date(), nullable=True),
        sa.Column("source_position", sa.BigInteger(), nullable=False),
        sa.Column("source_event_id", sa.String(36), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("sort_theme", sa.BigInteger(), nullable=False),
        sa.Column("sort_topic", sa.BigInteger(), nullable=False),
        sa.Column("sort_milestone", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("generation", "quarter_number", "milestone_id",
                                name=op.f("pk_milestone_board")),
    )
    op.create_index(op.f("ix_milestone_board_generation_milestone_id"), "milestone_board",
                    ["generation", "milestone_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_milestone_board_generation_milestone_id"),
                  table_name="milestone_board")
    op.drop_table("milestone_board")
    op.drop_index(op.f("ix_projection_facts_generation_type_quarter"),
                  table_name="projection_facts")
    op.drop_index(op.f("ix_projection_facts_generation_milestone_id"),
                  table_name="projection_facts")
    op.drop_table("projection_facts")
    op.drop_table("projection_checkpoints")
