"""Bad input gets an `InvalidEvent` naming the field, and nothing is written."""

from __future__ import annotations

import time
import types
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from eventstore import ANY, DuplicateEventId, EventStore, EventStoreError, InvalidEvent, NewEvent
from eventstore.limits import (
    MAX_EVENTS_PER_COMMIT,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_PAYLOAD_BYTES,
    MAX_STREAM_ID_LENGTH,
    MAX_TYPE_LENGTH,
)

FIRST = "streams[0].events[0]"


def ok_event(**data: object) -> NewEvent:
    return NewEvent("Happened", dict(data))


def assert_refused(store: EventStore, call: Callable[[], object], field: str) -> InvalidEvent:
    """Run `call`, expect an InvalidEvent naming `field`, and check the log did not move."""
    store.append("seed-1", [ok_event(n=0)])
    before = store.head()
    with pytest.raises(InvalidEvent) as caught:
        call()
    error = caught.value
    assert isinstance(error, EventStoreError)
    assert error.field == field, str(error)
    assert str(error).startswith(f"{field}: ") and error.reason
    assert store.head() == before
    assert [e.stream_id for e in store.read_all()] == ["seed-1"]
    return error


class Cyclic(dict[str, Any]):
    """A dict that contains itself."""

    def __init__(self) -> None:
        super().__init__()
        self["self"] = self


@pytest.mark.parametrize(
    ("type_", "field"),
    [
        ("", f"{FIRST}.type"),
        ("Unit\nWentLive", f"{FIRST}.type"),
        ("Unit\x00", f"{FIRST}.type"),
        ("Unit\x7f", f"{FIRST}.type"),
        ("Unit\x85", f"{FIRST}.type"),
        (" Unit", f"{FIRST}.type"),
        ("Unit\ud800", f"{FIRST}.type"),
        ("T" * (MAX_TYPE_LENGTH + 1), f"{FIRST}.type"),
        (42, f"{FIRST}.type"),
    ],
    ids=["empty", "newline", "nul", "del", "c1", "leading-space", "surrogate", "too-long",
         "not-text"],
)
def test_bad_type_is_refused(store: EventStore, type_: Any, field: str) -> None:
    """An event type must be short, non-empty, printable, valid Unicode text."""
    assert_refused(store, lambda: store.append("a-1", [NewEvent(type_, {})]), field)


@pytest.mark.parametrize(
    "stream_id",
    ["", "unit\t1", "unit-\n1", "unit-1\r", "\x00", " unit-1", "unit-1 ", "\u00a0unit-1",
     "unit-\ud800", "u" * (MAX_STREAM_ID_LENGTH + 1), None],
    ids=["empty", "tab", "newline", "cr", "nul", "leading-space", "trailing-space", "nbsp",
         "surrogate", "too-long", "none"],
)
def test_bad_stream_id_is_refused(store: EventStore, stream_id: Any) -> None:
    """A stream id must be short, non-empty, trimmed, printable, valid Unicode text."""
    assert_refused(store, lambda: store.append(stream_id, [ok_event()]), "streams[0].stream_id")


def test_names_at_the_length_limit_are_accepted(store: EventStore) -> None:
    """A stream id and a type of exactly the documented length are stored whole."""
    stream_id = "s" * MAX_STREAM_ID_LENGTH
    type_ = "T" * MAX_TYPE_LENGTH
    store.append(stream_id, [NewEvent(type_, {})])
    (recorded,) = store.read_stream(stream_id)
    assert (recorded.stream_id, recorded.type) == (stream_id, type_)


@pytest.mark.parametrize(
    ("data", "metadata", "field"),
    [
        ([1, 2], None, f"{FIRST}.data"),
        ("text", None, f"{FIRST}.data"),
        (None, None, f"{FIRST}.data"),
        ({}, ["actor"], f"{FIRST}.metadata"),
        ({"s": {1, 2}}, None, f"{FIRST}.data.s"),
        ({"o": object()}, None, f"{FIRST}.data.o"),
        ({"b": b"bytes"}, None, f"{FIRST}.data.b"),
        ({"d": datetime(2018, 4, 1, tzinfo=UTC)}, None, f"{FIRST}.data.d"),
        ({"x": float("nan")}, None, f"{FIRST}.data.x"),
        ({"x": float("inf")}, None, f"{FIRST}.data.x"),
        ({"x": float("-inf")}, None, f"{FIRST}.data.x"),
        ({1: "one"}, None, f"{FIRST}.data"),
        ({"a": {None: 1}}, None, f"{FIRST}.data.a"),
        ({"a": [1, {"b": float("nan")}]}, None, f"{FIRST}.data.a[1].b"),
        ({}, {"actor": {"since": float("nan")}}, f"{FIRST}.metadata.actor.since"),
        ({"text": "half a pair \ud83d"}, None, f"{FIRST}.data"),
        ({"\udc00key": 1}, None, f"{FIRST}.data"),
        ({}, {"actor": "\ud800"}, f"{FIRST}.metadata"),
        ({"n": 10**5000}, None, f"{FIRST}.data"),
        (Cyclic(), None, f"{FIRST}.data"),
    ],
    ids=["list", "str", "none", "metadata-list", "set", "object", "bytes", "datetime", "nan",
         "inf", "-inf", "int-key", "none-key", "nested-nan", "metadata-nan",
         "lone-surrogate-value", "lone-surrogate-key", "metadata-surrogate", "huge-int",
         "cycle"],
)
def test_non_json_payload_is_refused(store: EventStore, data: Any, metadata: Any,
                                     field: str) -> None:
    """data and metadata must be JSON objects of JSON values that survive a round trip."""
    assert_refused(store, lambda: store.append("a-1", [NewEvent("T", data, metadata)]), field)


def test_a_list_that_contains_itself_is_refused(store: EventStore) -> None:
    """A cyclic payload is refused promptly instead of hanging the writer."""
    loop: list[object] = []
    loop.append(loop)
    assert_refused(
        store, lambda: store.append("a-1", [NewEvent("T", {"loop": loop})]), f"{FIRST}.data"
    )


def test_any_mapping_and_sequence_is_stored_as_json(store: EventStore) -> None:
    """A read-only mapping and tuples are accepted and stored as plain JSON objects and lists."""
    data = types.MappingProxyType(
        {"z": types.MappingProxyType({"b": (1, 2)}), "a": [None, True, 1.5]}
    )
    shared = [1, 2]
    store.append("a-1", [NewEvent("T", data, {"twice": [shared, shared]})])
    (recorded,) = store.read_stream("a-1")
    assert recorded.data_json == '{"a":[null,true,1.5],"z":{"b":[1,2]}}'
    assert recorded.metadata == {"twice": [[1, 2], [1, 2]]}
    assert store.verify().ok


def test_payload_over_the_limit_is_refused(store: EventStore) -> None:
    """An event whose canonical data plus metadata exceed MAX_PAYLOAD_BYTES is refused."""
    # '{"s":"…"}' is 8 bytes around the text and '{}' is 2: this is one byte over.
    text = "x" * (MAX_PAYLOAD_BYTES - 10 + 1)
    assert_refused(store, lambda: store.append("a-1", [NewEvent("T", {"s": text})]),
                   f"{FIRST}.data")


def test_payload_limit_counts_utf8_bytes_of_data_and_metadata(store: EventStore) -> None:
    """The limit is on UTF-8 bytes of both payloads together, not on characters."""
    half = "£" * ((MAX_PAYLOAD_BYTES // 2 - 8) // 2 + 1)  # two bytes per character
    assert_refused(
        store,
        lambda: store.append("a-1", [NewEvent("T", {"s": half}, {"s": half})]),
        f"{FIRST}.data",
    )


def test_payload_exactly_at_the_limit_is_accepted(store: EventStore) -> None:
    """An event of exactly MAX_PAYLOAD_BYTES is stored and read back intact."""
    text = "x" * (MAX_PAYLOAD_BYTES - 10)
    store.append("a-1", [NewEvent("T", {"s": text})])
    (recorded,) = store.read_stream("a-1")
    assert len(recorded.data_json.encode()) + len(recorded.metadata_json.encode()) == (
        MAX_PAYLOAD_BYTES
    )
    assert recorded.data == {"s": text}


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime(2018, 5, 1, 9, 30),  # noqa: DTZ001 - the naive datetime is the point
        "2018-05-01T09:30:00Z",
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
    ],
    ids=["naive", "text", "before-year-1-in-utc", "after-year-9999-in-utc"],
)
def test_bad_occurred_at_is_refused(store: EventStore, occurred_at: Any) -> None:
    """occurred_at must be an aware datetime that exists in UTC."""
    assert_refused(
        store,
        lambda: store.append("a-1", [NewEvent("T", {}, occurred_at=occurred_at)]),
        f"{FIRST}.occurred_at",
    )


@pytest.mark.parametrize(
    "schema_version", [0, -1, True, "1", 1.0, None, 2**31], ids=repr
)
def test_bad_schema_version_is_refused(store: EventStore, schema_version: Any) -> None:
    """schema_version must be an integer from 1 to what every backend's column holds."""
    assert_refused(
        store,
        lambda: store.append("a-1", [NewEvent("T", {}, schema_version=schema_version)]),
        f"{FIRST}.schema_version",
    )


def test_largest_schema_version_is_accepted(store: EventStore) -> None:
    """The largest 32-bit schema version is stored on every backend."""
    store.append("a-1", [NewEvent("T", {}, schema_version=2**31 - 1)])
    assert store.read_stream("a-1")[0].schema_version == 2**31 - 1


def test_event_id_must_be_a_uuid(store: EventStore) -> None:
    """An event id given as text rather than a UUID is refused."""
    bad = NewEvent("T", {}, event_id=str(uuid.uuid4()))  # type: ignore[arg-type]
    assert_refused(store, lambda: store.append("a-1", [bad]), f"{FIRST}.event_id")


def test_event_must_be_a_new_event(store: EventStore) -> None:
    """Something that is not a NewEvent is refused at its index."""
    bad: Any = {"type": "T", "data": {}}
    assert_refused(store, lambda: store.append("a-1", [ok_event(), bad]),
                   "streams[0].events[1]")


def test_too_many_events_in_one_commit_are_refused(store: EventStore) -> None:
    """More than MAX_EVENTS_PER_COMMIT events across the streams of a commit are refused."""
    half = MAX_EVENTS_PER_COMMIT // 2
    batch: list[Any] = [
        ("a-1", [ok_event()] * half, ANY),
        ("b-1", [ok_event()] * (MAX_EVENTS_PER_COMMIT - half + 1), ANY),
    ]
    assert_refused(store, lambda: store.append_many(batch), "events")


def test_events_at_the_commit_limit_are_accepted(store: EventStore) -> None:
    """A commit of exactly MAX_EVENTS_PER_COMMIT events lands whole."""
    result = store.append("a-1", [NewEvent("T", {"n": n}) for n in range(MAX_EVENTS_PER_COMMIT)])
    assert (result.first_position, result.last_position) == (1, MAX_EVENTS_PER_COMMIT)
    assert store.stream_version("a-1") == MAX_EVENTS_PER_COMMIT


@pytest.mark.parametrize("events", [[], (), None, ok_event()], ids=["list", "tuple", "none",
                                                                     "bare-event"])
def test_events_must_be_a_non_empty_list(store: EventStore, events: Any) -> None:
    """A stream in a commit needs a list of at least one event."""
    assert_refused(store, lambda: store.append("a-1", events), "streams[0].events")


def test_empty_commit_is_refused(store: EventStore) -> None:
    """append_many with no streams is refused."""
    assert_refused(store, lambda: store.append_many([]), "streams")


def test_same_stream_twice_in_one_commit_is_refused(store: EventStore) -> None:
    """A commit names each stream once, so its expected version is unambiguous."""
    batch: list[Any] = [("a-1", [ok_event()], ANY), ("b-1", [ok_event()], ANY),
                        ("a-1", [ok_event()], ANY)]
    assert_refused(store, lambda: store.append_many(batch), "streams[2].stream_id")


@pytest.mark.parametrize("expected", [-1, True, False, "1", 1.0, None], ids=repr)
def test_bad_expected_version_is_refused(store: EventStore, expected: Any) -> None:
    """expected_version is a non-negative int or ANY, NO_STREAM or STREAM_EXISTS."""
    assert_refused(store, lambda: store.append("a-1", [ok_event()], expected),
                   "streams[0].expected_version")


@pytest.mark.parametrize(
    "key", ["", "key\n", " key", "k" * (MAX_IDEMPOTENCY_KEY_LENGTH + 1), 7], ids=repr
)
def test_bad_idempotency_key_is_refused(store: EventStore, key: Any) -> None:
    """An idempotency key is short, non-empty, printable text."""
    assert_refused(store, lambda: store.append("a-1", [ok_event()], idempotency_key=key),
                   "idempotency_key")


def test_naive_position_at_is_refused(store: EventStore) -> None:
    """position_at needs an aware datetime: a naive one is ambiguous."""
    naive = datetime(2018, 7, 1, 12)  # noqa: DTZ001 - the naive datetime is the point
    assert_refused(store, lambda: store.position_at(naive), "recorded_time")


def test_invalid_second_event_writes_nothing(store: EventStore) -> None:
    """When the second event of a commit is bad, the first is not written either."""
    events = [ok_event(n=1), NewEvent("T", {"x": float("nan")}), ok_event(n=3)]
    assert_refused(store, lambda: store.append("a-1", events), "streams[0].events[1].data.x")
    assert store.stream_version("a-1") == 0


def test_invalid_second_stream_writes_nothing(store: EventStore) -> None:
    """When the second stream of a commit is bad, the first stream is not written either."""
    batch: list[Any] = [("a-1", [ok_event(), ok_event()], ANY), ("b-1", [NewEvent("", {})], ANY)]
    assert_refused(store, lambda: store.append_many(batch), "streams[1].events[0].type")
    assert store.stream_version("a-1") == 0


def nested(depth: int) -> dict[str, object]:
    """A payload `depth` levels deep: the object itself, then lists inside one another."""
    inner: list[object] = []
    for _ in range(depth - 2):
        inner = [inner]
    return {"deep": inner}


def test_payload_nested_past_the_limit_is_refused(store: EventStore) -> None:
    """A payload nested deeper than MAX_NESTING_DEPTH is refused at the level that is too deep."""
    field = f"{FIRST}.data.deep" + "[0]" * (MAX_NESTING_DEPTH - 1)
    data = nested(MAX_NESTING_DEPTH + 1)
    assert_refused(store, lambda: store.append("a-1", [NewEvent("T", data)]), field)


def test_huge_nesting_is_refused_quickly(store: EventStore) -> None:
    """Deep nesting is refused without walking (or recursing) all the way down."""
    data = nested(100_000)
    started = time.monotonic()
    assert_refused(store, lambda: store.append("a-1", [NewEvent("T", data)]),
                   f"{FIRST}.data.deep" + "[0]" * (MAX_NESTING_DEPTH - 1))
    assert time.monotonic() - started < 1


def test_payload_nested_to_the_limit_is_accepted(store: EventStore) -> None:
    """A payload exactly MAX_NESTING_DEPTH levels deep is stored and reads back equal."""
    data = nested(MAX_NESTING_DEPTH)
    store.append("a-1", [NewEvent("T", data)])
    assert store.read_stream("a-1")[0].data == data


def test_duplicate_event_id_in_a_later_stream_writes_nothing(store: EventStore) -> None:
    """An event id the database refuses in the second stream keeps the first stream out too."""
    taken = uuid.uuid4()
    store.append("seed-1", [NewEvent("T", {}, event_id=taken)])
    batch: list[Any] = [("a-1", [ok_event(), ok_event()], ANY),
                        ("b-1", [ok_event(), NewEvent("T", {}, event_id=taken)], ANY)]
    with pytest.raises(DuplicateEventId):
        store.append_many(batch, idempotency_key="cmd-1")
    assert store.head().position == 1
    assert store.stream_version("a-1") == 0
    assert store.find_commit("cmd-1") is None
    batch[1] = ("b-1", [ok_event()], ANY)
    assert not store.append_many(batch, idempotency_key="cmd-1").replayed
    assert store.head().position == 4
    assert store.verify().ok


def test_one_event_id_twice_in_a_commit_writes_nothing(store: EventStore) -> None:
    """Two events of one commit with the same id are refused as a duplicate."""
    same = uuid.uuid4()
    with pytest.raises(DuplicateEventId):
        store.append_many([("a-1", [NewEvent("T", {}, event_id=same)], ANY),
                           ("b-1", [NewEvent("T", {}, event_id=same)], ANY)])
    assert store.head().position == 0
