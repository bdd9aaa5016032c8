"""Checks on what callers hand the store, turning bad input into `InvalidEvent`."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventstore.canonical import canonical_json, format_time
from eventstore.errors import InvalidEvent
from eventstore.limits import (
    MAX_EVENTS_PER_COMMIT,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_PAYLOAD_BYTES,
    MAX_SCHEMA_VERSION,
    MAX_STREAM_ID_LENGTH,
    MAX_TYPE_LENGTH,
)
from eventstore.model import Expected, ExpectedVersion, NewEvent


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """A validated event with its payload already in canonical text."""

    type: str
    schema_version: int
    data_json: str
    metadata_json: str
    occurred_at: datetime | None
    event_id: uuid.UUID | None


def check_name(field: str, value: object, max_length: int) -> str:
    """Stream ids, types and keys: non-empty text, no control characters, bounded length.

    Printable ASCII with no space at either end, the usual case, passes without a message
    being made; anything else goes the long way, which names the reason."""
    if (type(value) is str and 0 < len(value) <= max_length and value.isascii()
            and value.isprintable() and value[0] != " " and value[-1] != " "):
        return value
    return _check_name_slowly(field, value, max_length)


def _check_name_slowly(field: str, value: object, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidEvent(field, f"must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidEvent(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidEvent(field, f"is {len(value)} characters long; the limit is {max_length}")
    if value != value.strip():
        raise InvalidEvent(field, "must not start or end with white space")
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value):
        raise InvalidEvent(field, "must not contain control characters")
    if not value.isascii():
        _check_utf8(field, value)
    return value


def _check_utf8(field: str, text: str) -> None:
    """Refuse text that has no UTF-8 form (a lone surrogate): no database can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidEvent(
            field, f"is not valid Unicode text (lone surrogate {text[error.start]!r})"
        ) from error


def check_expected(field: str, value: object) -> Expected:
    if isinstance(value, ExpectedVersion):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidEvent(
            field, "must be a version (an integer >= 0), ANY, NO_STREAM or STREAM_EXISTS"
        )
    return value


def check_aware(field: str, value: object) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidEvent(field, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEvent(field, "must be timezone-aware (a naive datetime is ambiguous)")
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise InvalidEvent(field, "must fall within the years 1 to 9999 in UTC") from error
    return value


_canonical = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
"""`canonical.canonical_json` with its encoder made once, not once a payload."""


def _encode_object(field: str, value: object) -> tuple[str, int]:
    """The canonical JSON text of a payload and its size in UTF-8 bytes."""
    if not isinstance(value, Mapping):
        raise InvalidEvent(field, f"must be a JSON object, not {type(value).__name__}")
    if not _plain_json(value):
        _check_json_value(field, value)
    try:
        try:
            text = _canonical(value)
        except TypeError:  # a Mapping that is not a dict: store it as the equal dict
            text = canonical_json({key: _as_plain_json(child) for key, child in value.items()})
    except ValueError as error:  # a container that holds itself; an int too long for text
        raise InvalidEvent(field, f"is not JSON: {error}") from error
    except RecursionError as error:
        raise InvalidEvent(field, "is nested too deeply (or holds itself)") from error
    if text.isascii():
        return text, len(text)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        _check_utf8(field, text)
        raise
    return text, size


def _as_plain_json(value: object) -> object:
    """The same JSON value built from dicts and lists only (what `json` can encode)."""
    if isinstance(value, Mapping):
        return {key: _as_plain_json(child) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [_as_plain_json(child) for child in value]
    return value


_SCALARS = frozenset({str, int, bool, type(None)})
_WALK_LIMIT = MAX_PAYLOAD_BYTES
"""Values the cheap walk visits before it hands over to the careful one: each value of
a payload within the limits takes at least a byte of its text, so only a payload that
shares containers (or holds itself) gets that far."""


def _plain_json(value: object) -> bool:
    """Whether `value` is plainly good JSON: dicts with string keys, lists, tuples,
    strings, integers, booleans, None and finite floats, nested within the limit.

    The cheap path: exact type checks, no paths made, no memory of containers walked.
    False means "not sure", never "bad": `_check_json_value` then finds and names the
    problem (or passes what this walk is too simple to pass, a Mapping that is not a
    dict, say).
    """
    scalars = _SCALARS
    stack: list[tuple[object, int]] = [(value, 1)]
    visited = 0
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            return False
        kind = type(item)
        if kind is dict:
            children: Any = item.values()  # type: ignore[attr-defined]
            for key in item:  # type: ignore[attr-defined]
                if type(key) is not str:
                    return False
        elif kind is list or kind is tuple:
            children = item
        else:
            return False
        visited += len(children)
        if visited > _WALK_LIMIT:
            return False
        for child in children:
            child_kind = type(child)
            if child_kind in scalars:
                continue
            if child_kind is float:
                if not math.isfinite(child):
                    return False
                continue
            stack.append((child, depth + 1))
    return True


def _check_json_value(field: str, value: object) -> None:
    """Reject what JSON cannot carry faithfully: non-string keys, NaN, sets, objects.

    A container met twice is walked once, so a payload that holds itself does not loop;
    encoding then tells a shared list (fine) from a cycle (refused). Nesting is bounded so
    that whoever decodes the payload later never runs out of stack.
    """
    stack: list[tuple[str, object, int]] = [(field, value, 1)]
    walked: set[int] = set()
    while stack:
        path, item, depth = stack.pop()
        if item is None or isinstance(item, bool | str | int):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidEvent(path, "must be a finite number (NaN and infinity are not JSON)")
            continue
        if not isinstance(item, Mapping | list | tuple):
            raise InvalidEvent(path, f"{type(item).__name__} is not a JSON value")
        if id(item) in walked:
            continue
        walked.add(id(item))
        if depth > MAX_NESTING_DEPTH:
            raise InvalidEvent(path, f"is nested more than {MAX_NESTING_DEPTH} levels deep")
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InvalidEvent(path, f"has a non-string key {key!r}")
                stack.append((f"{path}.{key}", child, depth + 1))
        else:
            stack.extend(
                (f"{path}[{index}]", child, depth + 1) for index, child in enumerate(item)
            )


def prepare_event(field: str, event: object) -> PreparedEvent:
    """Validate one `NewEvent` and encode its payload canonically."""
    if not isinstance(event, NewEvent):
        raise InvalidEvent(field, f"must be a NewEvent, not {type(event).__name__}")
    check_name(f"{field}.type", event.type, MAX_TYPE_LENGTH)
    schema_version = event.schema_version
    if isinstance(schema_version, bool) or not isinstance(schema_version, int):
        raise InvalidEvent(f"{field}.schema_version", "must be an integer")
    if not 1 <= schema_version <= MAX_SCHEMA_VERSION:
        raise InvalidEvent(
            f"{field}.schema_version", f"must be from 1 to {MAX_SCHEMA_VERSION}"
        )
    data_json, data_size = _encode_object(f"{field}.data", event.data)
    metadata_json, metadata_size = _encode_object(f"{field}.metadata", event.metadata or {})
    size = data_size + metadata_size
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidEvent(
            f"{field}.data", f"payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        )
    if event.occurred_at is not None:
        check_aware(f"{field}.occurred_at", event.occurred_at)
    if event.event_id is not None and not isinstance(event.event_id, uuid.UUID):
        raise InvalidEvent(f"{field}.event_id", "must be a uuid.UUID")
    return PreparedEvent(
        type=event.type,
        schema_version=schema_version,
        data_json=data_json,
        metadata_json=metadata_json,
        occurred_at=event.occurred_at,
        event_id=event.event_id,
    )


@dataclass(frozen=True, slots=True)
class PreparedStream:
    stream_id: str
    expected: Expected
    events: tuple[PreparedEvent, ...]


def prepare_batch(
    batch: Sequence[tuple[str, Sequence[NewEvent], Expected]],
    idempotency_key: str | None,
) -> tuple[PreparedStream, ...]:
    """Validate a whole commit: every stream, every event, the limits and the key."""
    if idempotency_key is not None:
        check_name("idempotency_key", idempotency_key, MAX_IDEMPOTENCY_KEY_LENGTH)
    if not batch:
        raise InvalidEvent("streams", "at least one stream with one event is needed")
    prepared: list[PreparedStream] = []
    seen_streams: set[str] = set()
    total = 0
    for index, item in enumerate(batch):
        stream_id, events, expected = item
        where = f"streams[{index}]"
        check_name(f"{where}.stream_id", stream_id, MAX_STREAM_ID_LENGTH)
        if stream_id in seen_streams:
            raise InvalidEvent(f"{where}.stream_id", f"{stream_id!r} appears twice in one commit")
        seen_streams.add(stream_id)
        check_expected(f"{where}.expected_version", expected)
        if isinstance(events, NewEvent) or not isinstance(events, Sequence) or not events:
            raise InvalidEvent(f"{where}.events", "must be a non-empty list of NewEvent")
        total += len(events)
        if total > MAX_EVENTS_PER_COMMIT:
            raise InvalidEvent(
                "events", f"more than {MAX_EVENTS_PER_COMMIT} events in one commit"
            )
        prepared.append(
            PreparedStream(
                stream_id=stream_id,
                expected=expected,
                events=tuple(
                    prepare_event(f"{where}.events[{position}]", event)
                    for position, event in enumerate(events)
                ),
            )
        )
    return tuple(prepared)


def content_fingerprint(streams: Sequence[PreparedStream]) -> str:
    """What the caller gave, not what the store generated: the idempotency comparison."""
    described: list[Any] = [
        [
            stream.stream_id,
            [
                [
                    event.type,
                    event.schema_version,
                    event.data_json,
                    event.metadata_json,
                    format_time(event.occurred_at) if event.occurred_at else None,
                    str(event.event_id) if event.event_id else None,
                ]
                for event in stream.events
            ],
        ]
        for stream in streams
    ]
    return hashlib.sha256(canonical_json({"streams": described}).encode("utf-8")).hexdigest()
