"""The append's reads under its lock in one call (PostgreSQL only).

An append must read the log after it holds the append lock: the commit its idempotency key
made, the head, each stream's version and the server's clock. As separate statements that
is one round trip for the lock and one or two for the reads. ``eventstore_append_state``
takes the lock and then reads, in one call: a VOLATILE PL/pgSQL function takes a fresh
snapshot for each statement under READ COMMITTED, so the reads after the lock see every
commit made before it was granted, as separate statements did.

It returns one row: the earlier commit's fingerprint, positions, stream versions and time
(NULLs when the key is new or absent; then nothing else is read), the head's position,
hash and time (NULLs for an empty log), the streams' versions in the order given (0 for a
new stream) and ``clock_timestamp()`` read after the lock. SQLite needs none of this: its
append begins with ``BEGIN IMMEDIATE`` and reads on the same connection at no cost.

Revision ID: es0006
Revises: es0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "es0006"
down_revision: str | Sequence[str] | None = "es0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_STATE = """
CREATE FUNCTION eventstore_append_state(lock_key bigint, commit_key text, stream_ids text[])
RETURNS TABLE (
    earlier_fingerprint text, earlier_first bigint, earlier_last bigint,
    earlier_versions text, earlier_recorded_at timestamptz,
    head_position bigint, head_hash text, head_recorded_at timestamptz,
    versions integer[], server_now timestamptz
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    IF commit_key IS NOT NULL THEN
        SELECT c.fingerprint, c.first_position, c.last_position, c.stream_versions,
               c.recorded_at
          INTO earlier_fingerprint, earlier_first, earlier_last, earlier_versions,
               earlier_recorded_at
          FROM commits AS c WHERE c.idempotency_key = commit_key;
        IF FOUND THEN
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;
    SELECT e.position, e.hash, e.recorded_at
      INTO head_position, head_hash, head_recorded_at
      FROM events AS e ORDER BY e.position DESC LIMIT 1;
    versions := ARRAY(
        SELECT coalesce((SELECT max(e.version) FROM events AS e WHERE e.stream_id = s.id), 0)
          FROM unnest(stream_ids) WITH ORDINALITY AS s(id, n) ORDER BY s.n
    );
    server_now := clock_timestamp();
    RETURN NEXT;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_STATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION eventstore_append_state(bigint, text, text[])")
