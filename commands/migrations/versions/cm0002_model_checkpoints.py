"""The command_model_checkpoints table: the write model saved at checkpoints.

Revision ID: cm0002_model_checkpoints
Revises: cm0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "cm0002_model_checkpoints"
down_revision: str | Sequence[str] | None = "cm0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "command_model_checkpoints",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_hash", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("events", sa.LargeBinary(), nullable=False),
        sa.Column("events_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_command_model_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("command_model_checkpoints")
