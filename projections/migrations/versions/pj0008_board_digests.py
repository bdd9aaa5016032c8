"""A digest on each board row, as facts rows have one (pj0007).

`opslog status` answers from ``milestone_board`` when it holds the answer, so an edited
board row must be told from one the runner wrote: each row carries the SHA-256 of its
content, and a row that does not match it is not used. Rows written before this revision
have none; their quarters are answered from the facts until the runner writes them again.

Revision ID: pj0008
Revises: pj0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pj0008"
down_revision: str | Sequence[str] | None = "pj0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("milestone_board") as batch:
        batch.add_column(sa.Column("row_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("milestone_board") as batch:
        batch.drop_column("row_digest")
