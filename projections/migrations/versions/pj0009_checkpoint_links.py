"""Each snapshot and each publication names the signed checkpoint it carries.

A snapshot records the checkpoint of the log's Merkle tree at its cut-off position, and a
publication the checkpoint of the whole log when it was published (`eventstore.checkpoints`),
so whoever keeps a snapshot or a publication's checkpoint can later demand a consistency
proof from it. Nullable: rows made before this revision, or by a log with no signing key,
carry none.

Plain ADD COLUMN, not a batch copy: on SQLite a copy would drop the append-only triggers.

Revision ID: pj0009
Revises: pj0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pj0009"
down_revision: str | Sequence[str] | None = "pj0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("snapshots", sa.Column("checkpoint_id", ID, nullable=True))
    op.add_column("publications", sa.Column("checkpoint_id", ID, nullable=True))


def downgrade() -> None:
    op.drop_column("publications", "checkpoint_id")
    op.drop_column("snapshots", "checkpoint_id")
