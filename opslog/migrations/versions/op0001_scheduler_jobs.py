"""APScheduler's job store table, as its SQLAlchemyJobStore defines it.

The job store would create it on first start (checkfirst); creating it here keeps every
table under Alembic. ``eventstore/migrations/env.py`` leaves ``apscheduler_jobs`` out of
schema comparisons, since no package's metadata describes it.

Revision ID: op0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "op0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("opslog",)
depends_on: str | Sequence[str] | None = "es0001"


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs",
                    ["next_run_time"])


def downgrade() -> None:
    op.drop_index(op.f("ix_apscheduler_jobs_next_run_time"), table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
