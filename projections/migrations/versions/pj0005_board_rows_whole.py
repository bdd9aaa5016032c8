"""The board table: each row whole, so `opslog status` can answer from it.

A row kept the number of corrections behind its status and the position and id of its
source; a status answer shows the corrections themselves, the source's type and time, and
(on a report's board) this quarter's progress text. Rows written before this revision
lack them (NULL `source_type`), and a quarter with such a row is answered by the fold
until the runner rewrites the row or the read models are rebuilt.

Revision ID: pj0005
Revises: pj0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "pj0005"
down_revision: str | Sequence[str] | None = "pj0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("milestone_board") as batch:
        batch.add_column(sa.Column("source_type", sa.String(200), nullable=True))
        batch.add_column(sa.Column("source_recorded_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("narrative", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("milestone_board") as batch:
        for name in ("narrative", "notes", "source_recorded_at", "source_type"):
            batch.drop_column(name)
