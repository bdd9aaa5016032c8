"""Facts: index their effective date beside their quarter.

A question with an effective date looks for milestone facts of a quarter (or earlier)
that take effect after that date; with the date in the index, the database reads them
from the index alone.

Revision ID: pj0004
Revises: pj0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "pj0004"
down_revision: str | Sequence[str] | None = "pj0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_projection_facts_generation_type_quarter"),
                  table_name="projection_facts")
    op.create_index(op.f("ix_projection_facts_generation_type_quarter_effective_on"),
                    "projection_facts", ["generation", "type", "quarter", "effective_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_projection_facts_generation_type_quarter_effective_on"),
                  table_name="projection_facts")
    op.create_index(op.f("ix_projection_facts_generation_type_quarter"), "projection_facts",
                    ["generation", "type", "quarter"])
