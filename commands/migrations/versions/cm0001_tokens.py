"""The tokens table: bearer tokens by the SHA-256 of their secret, never the secret.

Revision ID: cm0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "cm0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("commands",)
depends_on: str | Sequence[str] | None = "es0001"


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("token_id", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(80), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_tokens_secret_sha256")),
    )


def downgrade() -> None:
    op.drop_table("tokens")
