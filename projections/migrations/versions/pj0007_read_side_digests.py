"""Digests tying the read models to the log.

Each facts row carries the SHA-256 of its own content, so a reader can tell an edited row
from one the runner wrote; each checkpoint carries the log's hash at its position, so a
reader can tell read models made from this log, up to there, from any others. Rows and
checkpoints written before this revision have neither and fail the check until
`opslog projections rebuild` writes them again.

Revision ID: pj0007
Revises: pj0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pj0007"
down_revision: str | Sequence[str] | None = "pj0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projection_facts") as batch:
        batch.add_column(sa.Column("row_digest", sa.String(64), nullable=True))
    with op.batch_alter_table("projection_checkpoints") as batch:
        batch.add_column(sa.Column("head_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projection_checkpoints") as batch:
        batch.drop_column("head_hash")
    with op.batch_alter_table("projection_facts") as batch:
        batch.drop_column("row_digest")
