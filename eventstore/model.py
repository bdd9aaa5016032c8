"""The values that cross the store's boundary: what callers append and what they read back."""

from __future__ import annotations

import enum
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSONObject = dict[str, Any]


class ExpectedVersion(enum.Enum):
    """Symbolic expectations about a stream's current version."""

    ANY = "any"
    NO_STREAM = "no stream"
    STREAM_EXISTS = "stream exists"

    def __str__(self) -> str:
        return self.value


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A UUID as `str(uuid.UUID(...))` writes it."""

ANY = ExpectedVersion.ANY
NO_STREAM = ExpectedVersion.NO_STREAM
STREAM_EXISTS = ExpectedVersion.STREAM_EXISTS

Expected = int | ExpectedVersion


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a caller wants to append; the store assigns position, times and hashes."""

    type: str
    data: Mapping[str, Any]
    metadata: Mapping[str, Any] | None = None
    occurred_at: datetime | None = None
    event_id: uuid.UUID | None = None
    schema_version: int = 1


class RecordedEvent:
    """An event as the log holds it: every field of the envelope, read-only.

    `data` and `metadata` are decoded from their stored canonical JSON text on first
    access, and `event_id` from its stored text, so scanning the log does not pay for
    what nobody looks at.
    """

    __slots__ = (
        "_data",
        "_event_id",
        "_metadata",
        "data_json",
        "digests_json",
        "envelope",
        "hash",
        "metadata_json",
        "occurred_at",
        "position",
        "prev_hash",
        "recorded_at",
        "salts_json",
        "schema_version",
        "stream_id",
        "type",
        "version",
    )

    _data: JSONObject | None
    _metadata: JSONObject | None
    _event_id: uuid.UUID | str
    position: int
    stream_id: str
    version: int
    type: str
    schema_version: int
    data_json: str
    metadata_json: str
    occurred_at: datetime
    recorded_at: datetime
    prev_hash: str
    hash: str
    envelope: int
    """1: the hash commits to `data_json`; 2: to `digests_json` (`canonical`)."""
    digests_json: str | None
    """Envelope 2: the canonical JSON of the payload's salted field digests."""
    salts_json: str | None
    """Envelope 2: the canonical JSON of the field salts; an erased field has none."""

    def __init__(
        self,
        *,
        position: int,
        event_id: uuid.UUID,
        stream_id: str,
        version: int,
        type: str,
        schema_version: int,
        data_json: str,
        metadata_json: str,
        occurred_at: datetime,
        recorded_at: datetime,
        prev_hash: str,
        hash: str,
        envelope: int = 1,
        digests_json: str | None = None,
        salts_json: str | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "position", position)
        setter(self, "_event_id", event_id)
        setter(self, "stream_id", stream_id)
        setter(self, "version", version)
        setter(self, "type", type)
        setter(self, "schema_version", schema_version)
        setter(self, "data_json", data_json)
        setter(self, "metadata_json", metadata_json)
        setter(self, "occurred_at", occurred_at)
        setter(self, "recorded_at", recorded_at)
        setter(self, "prev_hash", prev_hash)
        setter(self, "hash", hash)
        setter(self, "envelope", envelope)
        setter(self, "digests_json", digests_json)
        setter(self, "salts_json", salts_json)
        setter(self, "_data", None)
        setter(self, "_metadata", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RecordedEvent is read-only (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RecordedEvent is read-only (tried to delete {name!r})")

    @property
    def event_id(self) -> uuid.UUID:
        """The event's unique id (parsed from the stored text on first access)."""
        value = self._event_id
        if isinstance(value, str):
            value = uuid.UUID(value)
            object.__setattr__(self, "_event_id", value)
        return value

    @property
    def event_id_text(self) -> str:
        """The event id as `str(event_id)` writes it: the stored text itself when it is
        already in that form (lowercase, hyphenated), so no UUID is parsed for it."""
        value = self._event_id
        if type(value) is str and _CANONICAL_UUID.fullmatch(value) is not None:
            return value
        return str(self.event_id)

    @property
    def data(self) -> JSONObject:
        """The payload, decoded once; treat it as read-only."""
        value = self._data
        if value is None:
            value = json.loads(self.data_json)
            object.__setattr__(self, "_data", value)
        return value

    @property
    def metadata(self) -> JSONObject:
        """Who and why: actor, unit, command and correlation ids; treat it as read-only."""
        value = self._metadata
        if value is None:
            value = json.loads(self.metadata_json)
            object.__setattr__(self, "_metadata", value)
        return value

    @property
    def category(self) -> str:
        """The stream's category: the part of the stream id before the first ``-``."""
        return category_of(self.stream_id)

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in ENVELOPE_FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RecordedEvent):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return (
            f"RecordedEvent(position={self.position}, stream_id={self.stream_id!r}, "
            f"version={self.version}, type={self.type!r})"
        )


ENVELOPE_FIELDS = (
    "position",
    "event_id",
    "stream_id",
    "version",
    "type",
    "schema_version",
    "data_json",
    "metadata_json",
    "occurred_at",
    "recorded_at",
    "prev_hash",
    "hash",
)


def _slot_setter(name: str) -> Any:
    return RecordedEvent.__dict__[name].__set__


_RECORDED_SETTERS = tuple(
    _slot_setter("_event_id" if name == "event_id" else name) for name in ENVELOPE_FIELDS
)
_SET_DATA = _slot_setter("_data")
_SET_ENVELOPE = _slot_setter("envelope")
_SET_DIGESTS = _slot_setter("digests_json")
_SET_SALTS = _slot_setter("salts_json")
_SET_METADATA = _slot_setter("_metadata")
_new_object = object.__new__


def recorded_event(
    position: int,
    event_id: uuid.UUID | str,
    stream_id: str,
    version: int,
    type: str,
    schema_version: int,
    data_json: str,
    metadata_json: str,
    occurred_at: datetime,
    recorded_at: datetime,
    prev_hash: str,
    hash: str,
    envelope: int = 1,
    digests_json: str | None = None,
    salts_json: str | None = None,
) -> RecordedEvent:
    """A `RecordedEvent` from stored values, positionally and without checks.

    The same object the keyword constructor builds, for readers that build thousands a
    page; `event_id` may be the stored text of a UUID, parsed when first read.
    """
    event: RecordedEvent = _new_object(RecordedEvent)
    (set_position, set_event_id, set_stream_id, set_version, set_type, set_schema_version,
     set_data_json, set_metadata_json, set_occurred_at, set_recorded_at, set_prev_hash,
     set_hash) = _RECORDED_SETTERS
    set_position(event, position)
    set_event_id(event, event_id)
    set_stream_id(event, stream_id)
    set_version(event, version)
    set_type(event, type)
    set_schema_version(event, schema_version)
    set_data_json(event, data_json)
    set_metadata_json(event, metadata_json)
    set_occurred_at(event, occurred_at)
    set_recorded_at(event, recorded_at)
    set_prev_hash(event, prev_hash)
    set_hash(event, hash)
    _SET_ENVELOPE(event, envelope)
    _SET_DIGESTS(event, digests_json)
    _SET_SALTS(event, salts_json)
    _SET_DATA(event, None)
    _SET_METADATA(event, None)
    return event


def category_of(stream_id: str) -> str:
    """``milestone-2018-19-q1-vctf`` belongs to the category ``milestone``."""
    return stream_id.split("-", 1)[0]


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What one commit wrote: its positions and each stream's version after it."""

    first_position: int
    last_position: int
    stream_versions: Mapping[str, int] = field(default_factory=dict)
    recorded_at: datetime | None = None
    replayed: bool = False
    """True when an idempotency key matched an earlier commit and nothing new was written."""


@dataclass(frozen=True, slots=True)
class Head:
    """The last position of the log and its hash (position 0 and the genesis hash when empty)."""

    position: int
    hash: str
    recorded_at: datetime | None = None
