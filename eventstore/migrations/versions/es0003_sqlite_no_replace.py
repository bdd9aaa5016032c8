"""SQLite: refuse INSERT OR REPLACE over a recorded event or commit.

SQLite's REPLACE conflict resolution deletes the conflicting row without running DELETE
triggers (unless the connection turned on ``recursive_triggers``), so
``INSERT OR REPLACE INTO events ...`` could overwrite any event despite the append-only
triggers. These triggers look before every insert instead, on every connection. The
messages for event ids and stream versions are the ones SQLite gives for a plain INSERT,
so the store reports those as it always has. PostgreSQL has no REPLACE; its
``ON CONFLICT DO UPDATE`` runs the UPDATE triggers and is refused already.

Revision ID: es0003
Revises: es0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "es0003"
down_revision: str | Sequence[str] | None = "es0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS_NO_REPLACE = """
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
BEGIN
    SELECT RAISE(ABORT, 'table events is append-only: INSERT would replace a recorded event')
    WHERE EXISTS (SELECT 1 FROM events WHERE position = NEW.position);
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: events.event_id')
    WHERE EXISTS (SELECT 1 FROM events WHERE event_id = NEW.event_id);
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: events.stream_id, events.version')
    WHERE EXISTS (
        SELECT 1 FROM events WHERE stream_id = NEW.stream_id AND version = NEW.version
    );
END
"""

COMMITS_NO_REPLACE = """
CREATE TRIGGER commits_no_replace BEFORE INSERT ON commits
BEGIN
    SELECT RAISE(ABORT, 'table commits is append-only: INSERT would replace a recorded commit')
    WHERE EXISTS (SELECT 1 FROM commits WHERE idempotency_key = NEW.idempotency_key);
END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(EVENTS_NO_REPLACE)
        op.execute(COMMITS_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER commits_no_replace")
        op.execute("DROP TRIGGER events_no_replace")
