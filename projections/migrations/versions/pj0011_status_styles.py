"""Board rows carry their status as the scale in force shows it, and any evidence flag.

Statuses are data now (`catalogue.scales`): a row keeps its status's label, symbol, colour
and category (``style``, canonical JSON) so a board read whole from the table shows the
scale in force, and why a delivered status no longer rests on its linked updates
(``evidence``). Operational updates are now found by the milestone they name as well.

The read models are derived from the log, so rather than rewrite rows the code of this
revision would write differently, they are cleared: the runner rebuilds them from the
log on its next run, and answers meanwhile are folded from the log.

Plain ADD COLUMN, not a batch copy, as pj0009.

Revision ID: pj0011_status_styles
Revises: pj0010_reported_snapshots
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pj0011_status_styles"
down_revision: str | Sequence[str] | None = "pj0010_reported_snapshots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DERIVED = ("milestone_board", "milestone_spans", "projection_quarantine", "projection_facts",
           "projection_checkpoints")
"""The read models' tables, emptied so the runner rebuilds them (names fixed here)."""


def _clear() -> None:
    for name in DERIVED:
        op.execute(sa.table(name).delete())


def upgrade() -> None:
    op.add_column("milestone_board", sa.Column("style", sa.Text(), nullable=True))
    op.add_column("milestone_board", sa.Column("evidence", sa.Text(), nullable=True))
    _clear()


def downgrade() -> None:
    _clear()
    op.drop_column("milestone_board", "evidence")
    op.drop_column("milestone_board", "style")
