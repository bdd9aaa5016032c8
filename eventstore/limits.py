"""Documented limits: input beyond them is refused before the database is touched."""

from __future__ import annotations

MAX_STREAM_ID_LENGTH = 200
MAX_TYPE_LENGTH = 200
MAX_PAYLOAD_BYTES = 1_048_576
"""Canonical UTF-8 size of one event's data plus metadata."""
MAX_NESTING_DEPTH = 200
"""Objects and lists inside one another, the payload itself counting as the first level."""
MAX_EVENTS_PER_COMMIT = 10_000
MAX_IDEMPOTENCY_KEY_LENGTH = 200
MAX_SCHEMA_VERSION = 2_147_483_647
"""The largest value the 32-bit ``schema_version`` column holds on every backend."""
