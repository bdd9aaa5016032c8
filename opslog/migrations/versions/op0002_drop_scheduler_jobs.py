"""Drop APScheduler's job table: the scheduler keeps its jobs in memory only.

The SQLAlchemyJobStore stored each job as a pickle, and unpickling runs code: whoever
could write a row of ``apscheduler_jobs`` could run anything inside the scheduler. The
jobs are defined in code, so nothing of them is kept in the database any more. The
downgrade gives the table back as op0001 made it (empty).

Revision ID: op0002
Revises: op0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "op0002"
down_revision: str | Sequence[str] | None = "op0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_apscheduler_jobs_next_run_time"), table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")


def downgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs",
                    ["next_run_time"])
