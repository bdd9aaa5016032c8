"""One event as a broker message: the whole envelope as JSON, so a subscriber elsewhere
can check the hash chain and fold exactly what the log holds."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from eventstore.model import RecordedEvent

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def subject_for(prefix: str, event: RecordedEvent) -> str:
    """``<prefix>.<category>.<type>``: subscribers may filter by either token.

    Characters NATS gives meaning to (``.``, ``*``, ``>``, spaces) become ``_``.
    """
    return f"{prefix}.{_token(event.category)}.{_token(event.type)}"


def _token(text: str) -> str:
    return _UNSAFE.sub("_", text) or "_"


def encode(event: RecordedEvent) -> bytes:
    """The envelope as UTF-8 JSON; data and metadata stay the stored canonical text."""
    return json.dumps({
        "position": event.position,
        "event_id": str(event.event_id),
        "stream_id": event.stream_id,
        "version": event.version,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": event.data_json,
        "metadata": event.metadata_json,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }, separators=(",", ":")).encode()


def decode(payload: bytes) -> RecordedEvent:
    """The event `encode` wrote; `ValueError` naming the field when one is missing or bad."""
    try:
        body = json.loads(payload)
        return RecordedEvent(
            position=int(body["position"]),
            event_id=uuid.UUID(body["event_id"]),
            stream_id=str(body["stream_id"]),
            version=int(body["version"]),
            type=str(body["type"]),
            schema_version=int(body["schema_version"]),
            data_json=str(body["data"]),
            metadata_json=str(body["metadata"]),
            occurred_at=datetime.fromisoformat(body["occurred_at"]),
            recorded_at=datetime.fromisoformat(body["recorded_at"]),
            prev_hash=str(body["prev_hash"]),
            hash=str(body["hash"]),
        )
    except KeyError as error:
        raise ValueError(f"message: field {error.args[0]!r} is missing") from None
    except (TypeError, ValueError, json.JSONDecodeError) as error:
        raise ValueError(f"message: not an event envelope ({error})") from None
