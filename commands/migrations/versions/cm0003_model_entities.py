"""The write model's checkpoints as a row per entity, read per entity on demand.

Revision ID: cm0003_model_entities
Revises: cm0002_model_checkpoints
Create Date: 2026-12-04

A checkpoint was one document of the whole model, decoded whole by every starting
service: its cost grew with the log. Now a checkpoint row holds only its head, and
``command_model_entities`` an entity per row, read by the keys a command names. The old
rows are a cache and are dropped (the next service folds the log and saves anew).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "cm0003_model_entities"
down_revision: str | Sequence[str] | None = "cm0002_model_checkpoints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("command_model_checkpoints")
    op.create_table(
        "command_model_checkpoints",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_hash", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("head", sa.LargeBinary(), nullable=False),
        sa.Column("head_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_command_model_checkpoints")),
    )
    op.create_table(
        "command_model_entities",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", "position",
                                name=op.f("pk_command_model_entities")),
    )
    op.create_index("ix_command_model_entities_position", "command_model_entities",
                    ["position"])


def downgrade() -> None:
    op.drop_index("ix_command_model_entities_position", "command_model_entities")
    op.drop_table("command_model_entities")
    op.drop_table("command_model_checkpoints")
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
