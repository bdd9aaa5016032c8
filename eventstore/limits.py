"""Documented limits: input beyond them is refused before the database is touched."""

from __future__ import annotations

MAX_STREAM_ID_LENGTH = 200
MAX_TYPE_LENGTH = 200
MAX_PAYLOAD_BYTES = 1_048_576
"""Canonical UTF-8 size of one event's data plus metadata."""
MAX_EVENTS_PER_COMMIT = 10_000
MAX_IDEMPOTENCY_KEY_LENGTH = 200
