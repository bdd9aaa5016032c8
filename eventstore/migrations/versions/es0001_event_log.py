"""The event log: append-only events, idempotent commits, and the triggers that keep them so.

Revision ID: es0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from eventstore.tables import UTCDateTime

revision: str = "es0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("eventstore",)
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("events", "commits")

POSTGRES_REFUSE_FUNCTION = """
CREATE FUNCTION opslog_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'raise_exception';
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_events_version_positive")),
        sa.CheckConstraint("position >= 1", name=op.f("ck_events_position_positive")),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
        sa.UniqueConstraint("stream_id", "version", name=op.f("uq_events_stream_id_version")),
    )
    op.create_index(op.f("ix_events_category_position"), "events", ["category", "position"])
    op.create_index(op.f("ix_events_recorded_at"), "events", ["recorded_at"])
    op.create_table(
        "commits",
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("first_position", sa.BigInteger(), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("stream_versions", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_commits")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_REFUSE_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION opslog_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION opslog_refuse_change()"
            )
    else:
        for table in APPEND_ONLY:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: "
                    f"{operation} refused'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION opslog_refuse_change()")
    else:
        for table in APPEND_ONLY:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{operation}")
    op.drop_table("commits")
    op.drop_index(op.f("ix_events_recorded_at"), table_name="events")
    op.drop_index(op.f("ix_events_category_position"), table_name="events")
    op.drop_table("events")
