"""The canonical encodings the hash chain is computed over.

Payloads are stored as canonical JSON text (sorted keys, no spaces, UTF-8, no NaN), so
what is hashed is exactly what is stored and can be re-derived byte for byte on any
database. Times are UTC with microseconds and a four-digit year:
``2018-04-01T09:00:00.000000Z``, ``0999-12-31T23:59:00.000000Z``.

An event's hash is the SHA-256 (lowercase hex) of these eleven lines joined by ``\\n``
(UTF-8, no trailing newline)::

    position, event_id, stream_id, version, type, schema_version,
    occurred_at, recorded_at, prev_hash, data, metadata

That is envelope 1. Envelope 2 (every event appended since es0004) commits to the payload
through salted digests, so a field's value can later be erased while every hash still
verifies: each top-level payload field gets a fresh 128-bit salt, its digest is the
SHA-256 of the canonical JSON array ``[salt, name, value]`` (SD-JWT's disclosure), and the
hash input is the line ``opslog-event-v2`` followed by the eleven lines above with `data`
replaced by the canonical JSON object of those digests. The Merkle leaf of an event of
either envelope is SHA-256 of 0x00 followed by its hash input (RFC 9162;
`eventstore.transparency.merkle.leaf_hash`).

`prev_hash` of position 1 is sixty-four zeros. No field can hold a raw newline: ids and
types refuse control characters, and canonical JSON escapes them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
ENVELOPE_V2_TAG = "opslog-event-v2"
"""The first line of an envelope 2 hash input."""
SALT_BYTES = 16
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The canonical time text as a `strptime` pattern (``%Y`` being four digits, zero-padded)."""


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
"""`json.dumps` with these arguments, built once: `dumps` makes a new encoder on every
call that passes any, which costs more than encoding a small payload."""


def canonical_json(value: Mapping[str, Any]) -> str:
    """Encode a JSON object the one way the store stores and hashes it."""
    return _CANONICAL(value)


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


def hash_input(
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
    envelope: int = 1,
    digests_json: str | None = None,
) -> bytes:
    """The bytes an event's hash and its Merkle leaf are computed over.

    Envelope 1 commits to the payload text (`data_json`). Envelope 2 commits to the
    canonical JSON of the payload's salted field digests (`digests_json`) instead, and
    starts with the line ``opslog-event-v2`` so the two encodings can never collide.
    """
    if envelope == 1:
        payload = data_json
        head: tuple[str, ...] = ()
    elif envelope == 2:
        if digests_json is None:
            raise ValueError("an envelope 2 event commits to its digests: digests_json is needed")
        payload = digests_json
        head = (ENVELOPE_V2_TAG,)
    else:
        raise ValueError(f"unknown envelope {envelope}")
    lines = (
        *head,
        str(position),
        str(event_id),
        stream_id,
        str(version),
        type,
        str(schema_version),
        occurred_at if isinstance(occurred_at, str) else format_time(occurred_at),
        recorded_at if isinstance(recorded_at, str) else format_time(recorded_at),
        prev_hash,
        payload,
        metadata_json,
    )
    return "\n".join(lines).encode("utf-8")


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
    envelope: int = 1,
    digests_json: str | None = None,
) -> str:
    """SHA-256 (hex) over `hash_input`: every other field of the envelope."""
    return hashlib.sha256(hash_input(
        position=position, event_id=event_id, stream_id=stream_id, version=version,
        type=type, schema_version=schema_version, occurred_at=occurred_at,
        recorded_at=recorded_at, prev_hash=prev_hash, data_json=data_json,
        metadata_json=metadata_json, envelope=envelope, digests_json=digests_json,
    )).hexdigest()


def new_salt() -> str:
    """A fresh 128-bit salt, base64url without padding (as SD-JWT's disclosures use)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(SALT_BYTES)).rstrip(b"=").decode()


def disclosure(salt: str, name: str, value: Any) -> str:
    """The text one field's digest is taken over: the JSON array ``[salt, name, value]``."""
    return _CANONICAL([salt, name, value])


def field_digest(salt: str, name: str, value: Any) -> str:
    """SHA-256 (hex) of a field's disclosure: without the salt, guessing confirms nothing."""
    return hashlib.sha256(disclosure(salt, name, value).encode("utf-8")).hexdigest()


def payload_digests(data: Mapping[str, Any], salts: Mapping[str, str]) -> dict[str, str]:
    """One salted digest per top-level payload field; `salts` names a salt for each."""
    return {name: field_digest(salts[name], name, value) for name, value in data.items()}
