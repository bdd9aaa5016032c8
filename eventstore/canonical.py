"""The canonical encodings the hash chain is computed over.

Payloads are stored as canonical JSON text (sorted keys, no spaces, UTF-8, no NaN), so
what is hashed is exactly what is stored and can be re-derived byte for byte on any
database. Times are UTC with microseconds and a four-digit year:
``2018-04-01T09:00:00.000000Z``, ``0999-12-31T23:59:00.000000Z``.

An event's hash is the SHA-256 (lowercase hex) of these eleven lines joined by ``\\n``
(UTF-8, no trailing newline)::

    position, event_id, stream_id, version, type, schema_version,
    occurred_at, recorded_at, prev_hash, data, metadata

`prev_hash` of position 1 is sixty-four zeros. No field can hold a raw newline: ids and
types refuse control characters, and canonical JSON escapes them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The canonical time text as a `strptime` pattern (``%Y`` being four digits, zero-padded)."""


def canonical_json(value: Mapping[str, Any]) -> str:
    """Encode a JSON object the one way the store stores and hashes it."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def format_time(moment: datetime) -> str:
    """The canonical UTC text of an aware datetime, always with a four-digit year.

    Not `strftime`: its ``%Y`` pads years below 1000 on some platforms and not on
    others, and the same event must hash the same everywhere.
    """
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def parse_time(text: str) -> datetime:
    """Read back a canonical (or any ISO 8601) time as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def event_hash(
    *,
    position: int,
    event_id: uuid.UUID | str,
    stream_id: str,
    version: int,
    type: str,
    schema_version: int,
    occurred_at: datetime | str,
    recorded_at: datetime | str,
    prev_hash: str,
    data_json: str,
    metadata_json: str,
) -> str:
    """SHA-256 over the canonical encoding of every other field of the envelope."""
    lines = (
        str(position),
        str(event_id),
        stream_id,
        str(version),
        type,
        str(schema_version),
        occurred_at if isinstance(occurred_at, str) else format_time(occurred_at),
        recorded_at if isinstance(recorded_at, str) else format_time(recorded_at),
        prev_hash,
        data_json,
        metadata_json,
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
