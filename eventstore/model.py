"""The values that cross the store's boundary: what callers append and what they read back."""

from __future__ import annotations

import enum
import json
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
    access, so scanning the log does not pay for payloads nobody looks at.
    """

    __slots__ = (
        "_data",
        "_metadata",
        "data_json",
        "event_id",
        "hash",
        "metadata_json",
        "occurred_at",
        "position",
        "prev_hash",
        "recorded_at",
        "schema_version",
        "stream_id",
        "type",
        "version",
    )

    position: int
    event_id: uuid.UUID
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
    ) -> None:
        setter = object.__setattr__
        setter(self, "position", position)
        setter(self, "event_id", event_id)
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
        setter(self, "_data", None)
        setter(self, "_metadata", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RecordedEvent is read-only (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RecordedEvent is read-only (tried to delete {name!r})")

    @property
    def data(self) -> JSONObject:
        """The payload, decoded once; treat it as read-only."""
        if self._data is None:
            object.__setattr__(self, "_data", json.loads(self.data_json))
        value: JSONObject = self._data
        return value

    @property
    def metadata(self) -> JSONObject:
        """Who and why: actor, unit, command and correlation ids; treat it as read-only."""
        if self._metadata is None:
            object.__setattr__(self, "_metadata", json.loads(self.metadata_json))
        value: JSONObject = self._metadata
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
