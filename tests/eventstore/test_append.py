"""Appending and reading back: positions, versions, expectations, idempotency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from eventstore import (
    ANY,
    NO_STREAM,
    STREAM_EXISTS,
    DuplicateEventId,
    EventStore,
    HeadMoved,
    IdempotencyConflict,
    NewEvent,
    WrongExpectedVersion,
)


def event(type_: str = "Happened", **data: object) -> NewEvent:
    return NewEvent(type_, dict(data))


def test_append_assigns_positions_and_versions(store: EventStore) -> None:
    """The first commit gets positions 1..n and stream versions 1..n."""
    result = store.append("thing-1", [event(n=1), event(n=2)], NO_STREAM)
    assert (result.first_position, result.last_position) == (1, 2)
    assert result.stream_versions == {"thing-1": 2}
    second = store.append("other-1", [event(n=3)])
    assert (second.first_position, second.last_position) == (3, 3)
    recorded = list(store.read_all())
    assert [(e.position, e.stream_id, e.version) for e in recorded] == [
        (1, "thing-1", 1),
        (2, "thing-1", 2),
        (3, "other-1", 1),
    ]
    assert recorded[0].data == {"n": 1}
    assert recorded[0].category == "thing"


def test_generated_event_ids_are_time_ordered(store: EventStore) -> None:
    """An event given no id gets a UUIDv7: ids sort as positions do, so each insert lands
    at the end of the unique index on event ids; a given id is kept as it is."""
    given = uuid.uuid4()
    store.append("thing-1", [event(n=n) for n in range(5)])
    store.append("thing-1", [NewEvent("Happened", {}, event_id=given)])
    store.append("thing-2", [event(n=n) for n in range(3)])
    recorded = list(store.read_all())
    generated = [e.event_id for e in recorded if e.event_id != given]
    assert len(generated) == 8
    assert {e.version for e in generated} == {7}
    assert generated == sorted(generated, key=str)
    assert recorded[5].event_id == given


def test_recorded_event_carries_the_whole_envelope(store: EventStore) -> None:
    """Every envelope field round-trips, times are aware UTC, the chain links."""
    occurred = datetime(2018, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    event_id = uuid.uuid4()
    store.append(
        "bcu-south-west",
        [NewEvent("UnitWentLive", {"boroughs": ["Kingston"]}, {"actor": "a"}, occurred,
                  event_id, schema_version=2)],
    )
    (recorded,) = store.read_stream("bcu-south-west")
    assert recorded.event_id == event_id
    assert recorded.type == "UnitWentLive"
    assert recorded.schema_version == 2
    assert recorded.metadata == {"actor": "a"}
    assert recorded.occurred_at == occurred
    assert recorded.occurred_at.tzinfo == UTC
    assert recorded.recorded_at.tzinfo == UTC
    assert recorded.prev_hash == "0" * 64
    assert store.head().hash == recorded.hash


def test_occurred_at_defaults_to_recorded_at(store: EventStore) -> None:
    """An event with no effective time is taken to have happened when it was recorded."""
    store.append("thing-1", [event()])
    (recorded,) = store.read_stream("thing-1")
    assert recorded.occurred_at == recorded.recorded_at


@pytest.mark.parametrize(
    ("expected", "current", "accepted"),
    [
        (ANY, 0, True),
        (ANY, 2, True),
        (NO_STREAM, 0, True),
        (NO_STREAM, 2, False),
        (0, 0, True),
        (0, 2, False),
        (STREAM_EXISTS, 0, False),
        (STREAM_EXISTS, 2, True),
        (2, 2, True),
        (1, 2, False),
        (3, 2, False),
    ],
)
def test_expected_version(store: EventStore, expected: object, current: int,
                          accepted: bool) -> None:
    """An append succeeds only when the stream is where the writer expects it."""
    if current:
        store.append("thing-1", [event() for _ in range(current)])
    if accepted:
        result = store.append("thing-1", [event()], expected)  # type: ignore[arg-type]
        assert result.stream_versions["thing-1"] == current + 1
    else:
        with pytest.raises(WrongExpectedVersion) as caught:
            store.append("thing-1", [event()], expected)  # type: ignore[arg-type]
        assert caught.value.stream_id == "thing-1"
        assert caught.value.expected == expected
        assert caught.value.actual == current
        assert store.stream_version("thing-1") == current


def test_append_many_is_atomic(store: EventStore) -> None:
    """When one stream's expectation fails, no stream of the commit is written."""
    store.append("b-1", [event()])
    with pytest.raises(WrongExpectedVersion):
        store.append_many([("a-1", [event(), event()], NO_STREAM), ("b-1", [event()], NO_STREAM)])
    assert list(store.read_all()) == [*store.read_stream("b-1")]
    result = store.append_many([("a-1", [event()], NO_STREAM), ("b-1", [event()], 1)])
    assert result.stream_versions == {"a-1": 1, "b-1": 2}
    assert (result.first_position, result.last_position) == (2, 3)


def test_an_expected_head_position_is_checked_under_the_lock(store: EventStore) -> None:
    """A commit that expects the log's head elsewhere writes nothing; at the head it lands;
    a retry of a recorded key is answered before the head is compared."""
    with pytest.raises(HeadMoved) as raised:
        store.append_many([("a-1", [event()], ANY)], expected_position=3)
    assert (raised.value.expected, raised.value.actual) == (3, 0)
    assert store.head().position == 0
    first = store.append_many([("a-1", [event()], ANY)], "cmd-1", expected_position=0)
    store.append("b-1", [event()])
    with pytest.raises(HeadMoved):
        store.append_many([("a-1", [event()], 1)], expected_position=1)
    assert store.head().position == 2
    again = store.append_many([("a-1", [event()], ANY)], "cmd-1", expected_position=0)
    assert again.replayed and again.first_position == first.first_position


def test_idempotent_commit_records_once(store: EventStore) -> None:
    """The same key and content again returns the first result and writes nothing."""
    batch = [("a-1", [event(n=1)], NO_STREAM), ("b-1", [event(n=2)], NO_STREAM)]
    first = store.append_many(batch, idempotency_key="cmd-1")
    again = store.append_many(batch, idempotency_key="cmd-1")
    assert not first.replayed and again.replayed
    assert (again.first_position, again.last_position) == (first.first_position,
                                                           first.last_position)
    assert dict(again.stream_versions) == dict(first.stream_versions)
    assert store.head().position == 2
    assert store.find_commit("cmd-1") == again
    assert store.find_commit("cmd-unknown") is None


def test_idempotency_key_is_checked_before_expected_version(store: EventStore) -> None:
    """A retry gets its first result back even though its stream has moved on."""
    first = store.append("a-1", [event(n=1)], NO_STREAM, idempotency_key="cmd-1")
    store.append("a-1", [event(n=2)], 1)
    again = store.append("a-1", [event(n=1)], NO_STREAM, idempotency_key="cmd-1")
    assert again.replayed and again.last_position == first.last_position
    assert store.head().position == 2


def test_idempotency_key_with_other_content_is_refused(store: EventStore) -> None:
    """The same key with a different payload raises and writes nothing."""
    store.append("a-1", [event(n=1)], idempotency_key="cmd-1")
    with pytest.raises(IdempotencyConflict):
        store.append("a-1", [event(n=2)], idempotency_key="cmd-1")
    assert store.head().position == 1


def test_store_generated_ids_and_times_do_not_change_content(store: EventStore) -> None:
    """Content is what the caller gave: generated event ids and times are not part of it."""
    store.append("a-1", [event(n=1)], idempotency_key="cmd-1")
    assert store.append("a-1", [event(n=1)], idempotency_key="cmd-1").replayed


def test_duplicate_event_id_is_refused(store: EventStore) -> None:
    """An event id is unique across the log."""
    event_id = uuid.uuid4()
    store.append("a-1", [NewEvent("T", {}, event_id=event_id)])
    with pytest.raises(DuplicateEventId):
        store.append("b-1", [NewEvent("T", {}, event_id=event_id)])
    assert store.head().position == 1


def test_unknown_stream_reads_empty(store: EventStore) -> None:
    """Reading a stream that does not exist is not an error."""
    assert store.read_stream("nobody-1") == []
    assert store.stream_version("nobody-1") == 0
    assert list(store.read_all()) == []
    assert store.head().position == 0


def test_read_stream_ranges(store: EventStore) -> None:
    """from/to versions, backwards and limit select the expected slice."""
    store.append("a-1", [event(n=n) for n in range(1, 8)])

    def versions(**kwargs: object) -> list[int]:
        return [e.version for e in store.read_stream("a-1", **kwargs)]  # type: ignore[arg-type]

    assert versions() == [1, 2, 3, 4, 5, 6, 7]
    assert versions(from_version=3, to_version=5) == [3, 4, 5]
    assert versions(limit=2) == [1, 2]
    assert versions(backwards=True, limit=3) == [7, 6, 5]
    assert versions(backwards=True, from_version=4) == [4, 3, 2, 1]


def test_read_all_filters_and_pages(store: EventStore) -> None:
    """read_all honours bounds, types and categories across page boundaries."""
    for n in range(30):
        store.append(f"{'milestone' if n % 3 else 'unit'}-{n}", [event("Even" if n % 2 else "Odd")])
    from eventstore import reader

    everything = list(reader.read_all(store.engine, page_size=7))
    assert [e.position for e in everything] == list(range(1, 31))
    assert [e.position for e in store.read_all(from_position=10, to_position=12)] == [10, 11, 12]
    assert len(list(store.read_all(limit=5))) == 5
    assert len(list(reader.read_all(store.engine, limit=20, page_size=7))) == 20
    units = list(store.read_all(categories=["unit"]))
    assert [e.stream_id for e in units] == [f"unit-{n}" for n in range(0, 30, 3)]
    evens = list(store.read_all(types=["Even"], categories=["milestone"]))
    assert all(e.type == "Even" and e.category == "milestone" for e in evens)
    assert len(evens) == len([n for n in range(30) if n % 3 and n % 2])


def test_position_at_maps_time_to_position(database_url: str) -> None:
    """position_at gives the last position recorded at or before an instant."""
    base = datetime(2018, 6, 30, 23, 0, tzinfo=UTC)
    times = iter([base, base + timedelta(hours=1), base + timedelta(hours=2)])
    with EventStore.open(database_url, create=True, clock=lambda: next(times)) as store:
        for _ in range(3):
            store.append("a-1", [event(), event()])
        assert store.position_at(base - timedelta(seconds=1)) == 0
        assert store.position_at(base) == 2
        assert store.position_at(base + timedelta(minutes=90)) == 4
        assert store.position_at(base + timedelta(days=1)) == 6


@pytest.mark.parametrize(
    "payload",
    [
        {"big": 1e16, "negzero": -0.0, "tiny": 5e-324, "int": 10**30},
        {"nul": "a\u0000b", "emoji": "📅 ✓ 🔧", "rtl": "\u202eabc", "sep": "\u2028"},
        {"nested": {"z": [1, {"b": None, "a": True}], "a": "£250m"}},
    ],
)
def test_awkward_payloads_round_trip_and_verify(store: EventStore,
                                                payload: dict[str, object]) -> None:
    """What is hashed is what is stored: awkward JSON survives and the chain verifies."""
    store.append("a-1", [NewEvent("T", payload, {"m": payload})])
    (recorded,) = store.read_stream("a-1")
    assert recorded.data == payload
    assert store.verify().ok
