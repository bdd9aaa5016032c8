"""From stored events to typed ones: upcast through the catalogue, keep what readers trace.

`Decoded` is lighter than the catalogue's `Recorded`: the fold needs the actor only for
corrections, so metadata stays as text until someone asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from catalogue import CATALOGUE, DomainEvent, UnknownEventType, decode, upcast
from catalogue.channel import describe as describe_channel
from eventstore import RecordedEvent, canonical_json


@dataclass(frozen=True, slots=True)
class Decoded:
    """A typed event at the catalogue's current schema, with its place in the log."""

    event: DomainEvent
    position: int
    event_id: str
    stream_id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    payload_json: str
    """The payload at the current schema version, as canonical JSON."""
    metadata_json: str

    @property
    def actor(self) -> str:
        """Who recorded the event."""
        return str(json.loads(self.metadata_json).get("actor") or "")

    @property
    def unit(self) -> str:
        """The unit the actor recorded it for; empty when the actor acts for none."""
        return str(json.loads(self.metadata_json).get("unit") or "")

    @property
    def channel(self) -> str:
        """How it reached the log, in one line; empty where it was not recorded."""
        channel = json.loads(self.metadata_json).get("channel")
        return describe_channel(channel) if channel is not None else ""


class DecodeError(Exception):
    """A stored event this code cannot read (unknown type, newer version, bad payload)."""


def decode_event(recorded: RecordedEvent) -> Decoded:
    """Decode one stored event; raise `DecodeError` saying why it cannot be read."""
    try:
        spec = CATALOGUE[recorded.type]
    except KeyError:
        raise DecodeError(f"unknown event type {recorded.type!r}") from None
    current = spec.event_class.schema_version
    try:
        if recorded.schema_version == current:
            payload_json = recorded.data_json
            event = decode(recorded.type, current, recorded.data)
        else:
            payload = upcast(recorded.type, recorded.schema_version, dict(recorded.data))
            payload_json = canonical_json(payload)
            event = decode(recorded.type, current, payload)
    except (UnknownEventType, ValueError, KeyError, TypeError) as error:
        raise DecodeError(str(error)) from error
    return Decoded(
        event=event,
        position=recorded.position,
        event_id=recorded.event_id_text,
        stream_id=recorded.stream_id,
        type=recorded.type,
        occurred_at=recorded.occurred_at,
        recorded_at=recorded.recorded_at,
        payload_json=payload_json,
        metadata_json=recorded.metadata_json,
    )


def unreadable(recorded: RecordedEvent) -> str | None:
    """Why this code cannot read `recorded` (naming its type), or None when it can."""
    try:
        decode_event(recorded)
    except DecodeError as error:
        return f"event {recorded.event_id} ({recorded.type}) cannot be read: {error}"
    return None
