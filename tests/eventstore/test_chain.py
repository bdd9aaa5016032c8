"""Tamper evidence: with the triggers gone, every alteration is caught where it was made."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from eventstore import (
    GENESIS_HASH,
    EventStore,
    EventStoreError,
    NewEvent,
    RecordedEvent,
    event_hash,
)
from eventstore.tables import events, tree_hashes
from tests.eventstore.tampering import drop_immutability

START = datetime(2018, 4, 2, 8, 0, tzinfo=UTC)
SIZE = 20
MIDDLE = 10
COLUMNS = ("event_id", "stream_id", "category", "version", "type", "schema_version", "data",
           "metadata", "occurred_at", "recorded_at", "prev_hash", "hash")


def ticking_clock(step: timedelta = timedelta(minutes=7)) -> Callable[[], datetime]:
    """A clock that moves on by `step` at every reading."""
    moments = (START + step * n for n in range(1_000_000))
    return lambda: next(moments)


def write_log(store: EventStore, size: int = SIZE) -> None:
    """`size` events in commits of one to three events over four streams."""
    position = 0
    commit = 0
    while position < size:
        count = min(1 + commit % 3, size - position)
        stream = ("milestone-2018-19-q1-vctf", "unit-bcu-sw", "indicator-tno", "unit-ctf")[
            commit % 4
        ]
        store.append(
            stream,
            [
                NewEvent(
                    "MilestoneProgressed" if n % 2 else "UnitReported",
                    {"n": position + n + 1, "text": f"update £{position + n}m", "ok": True},
                    {"actor": "performance-team", "command_id": f"cmd-{commit}"},
                    occurred_at=START - timedelta(days=position + n, microseconds=n),
                    schema_version=1 + n,
                )
                for n in range(count)
            ],
        )
        position += count
        commit += 1


@pytest.fixture
def log_store(database_url: str) -> Iterator[EventStore]:
    """A ~20-event log on each backend, written with a clock that ticks, triggers dropped."""
    with EventStore.open(database_url, create=True, clock=ticking_clock()) as store:
        write_log(store)
        drop_immutability(store.engine)
        yield store


def stored_row(store: EventStore, position: int) -> dict[str, Any]:
    """One row of `events` as stored, every column, through the table's own types."""
    with store.engine.connect() as connection:
        row = connection.execute(sa.select(events).where(events.c.position == position)).one()
    return dict(row._mapping)


def alter(store: EventStore, position: int, **values: object) -> None:
    """Overwrite columns of one stored event (the triggers must be gone)."""
    with store.engine.begin() as connection:
        updated = connection.execute(
            events.update().where(events.c.position == position).values(**values)
        )
        assert updated.rowcount == 1


def assert_broken_at(store: EventStore, position: int) -> None:
    """verify() fails, names `position`, and vouches for everything before it."""
    report = store.verify()
    assert not report.ok
    assert report.first_bad_position == position, report
    assert report.problem
    assert report.checked == position - 1
    assert report.head_position == position - 1
    assert report.head_hash == (store.hash_at(position - 1) if position > 1 else GENESIS_HASH)
    assert str(report).startswith(f"broken at position {position}: ")


def changed_value(column: str, row: dict[str, Any]) -> object:
    """A different value of the right type for `column`, keeping unique keys unique."""
    value = row[column]
    changes: dict[str, Callable[[Any], object]] = {
        "event_id": lambda _: str(uuid.uuid4()),
        "stream_id": lambda v: v + "x",
        "category": lambda v: v + "x",
        "version": lambda v: v + 1000,
        "type": lambda v: v + "d",
        "schema_version": lambda v: v + 1,
        "data": lambda v: v.replace('"ok":true', '"ok":false'),
        "metadata": lambda _: json.dumps({"actor": "mallory"}, separators=(",", ":")),
        "occurred_at": lambda v: v + timedelta(microseconds=1),
        "recorded_at": lambda v: v - timedelta(microseconds=1),
        "prev_hash": lambda v: ("1" if v[0] != "1" else "2") + v[1:],
        "hash": lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),
    }
    changed = changes[column](value)
    assert changed != value
    return changed


@pytest.mark.parametrize("column", COLUMNS)
def test_altering_any_column_of_a_middle_event_is_reported_there(log_store: EventStore,
                                                                 column: str) -> None:
    """Changing one stored column of event 10 of 20 breaks the chain at position 10."""
    assert log_store.verify().ok
    row = stored_row(log_store, MIDDLE)
    alter(log_store, MIDDLE, **{column: changed_value(column, row)})
    assert_broken_at(log_store, MIDDLE)


@pytest.mark.parametrize("position", [1, SIZE])
@pytest.mark.parametrize("column", ["data", "recorded_at", "hash"])
def test_altering_the_first_or_last_event_is_reported_there(log_store: EventStore,
                                                            column: str, position: int) -> None:
    """The ends of the log are covered too: the genesis link and the head."""
    row = stored_row(log_store, position)
    alter(log_store, position, **{column: changed_value(column, row)})
    assert_broken_at(log_store, position)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"n": 10, "ok": true, "text": "update £9m"}'),
        ("data", '{"ok":true,"n":10,"text":"update £9m"}'),
        ("metadata", '{"actor":"performance-team","command_id":"cmd-5" }'),
        ("hash", "upper"),
    ],
    ids=["data-spaced", "data-reordered", "metadata-trailing-space", "hash-uppercase"],
)
def test_same_meaning_in_other_text_is_reported(log_store: EventStore, column: str,
                                                value: str) -> None:
    """What is hashed is the stored text: equivalent JSON or hex in other spelling is caught."""
    if value == "upper":
        value = str(stored_row(log_store, MIDDLE)[column]).upper()
    assert value != stored_row(log_store, MIDDLE)[column]
    alter(log_store, MIDDLE, **{column: value})
    assert_broken_at(log_store, MIDDLE)


@pytest.mark.parametrize("position", [1, MIDDLE, SIZE - 1])
def test_removing_an_event_is_reported_at_its_position(log_store: EventStore,
                                                       position: int) -> None:
    """Deleting an event leaves a hole the check names."""
    with log_store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position == position))
    assert_broken_at(log_store, position)
    assert "missing" in str(log_store.verify().problem)


def swap_contents(store: EventStore, first: int, second: int) -> None:
    """Exchange every column but position between two stored events."""
    rows = {position: stored_row(store, position) for position in (first, second)}
    with store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position.in_([first, second])))
        connection.execute(
            events.insert(),
            [
                {**rows[second], "position": first},
                {**rows[first], "position": second},
            ],
        )


@pytest.mark.parametrize(("first", "second"), [(MIDDLE - 1, MIDDLE), (7, 13), (1, SIZE)])
def test_swapping_two_events_is_reported_at_the_first(log_store: EventStore, first: int,
                                                      second: int) -> None:
    """Reordering events (their contents moved between positions) breaks at the earlier one."""
    swap_contents(log_store, first, second)
    assert_broken_at(log_store, first)


def test_intact_log_verifies_from_the_start(log_store: EventStore) -> None:
    """An untouched log verifies whole and reports the head's position and hash."""
    report = log_store.verify()
    head = log_store.head()
    assert report.ok and report.first_bad_position is None and report.problem is None
    assert report.checked == head.position == SIZE
    assert report.head_position == SIZE
    assert report.head_hash == head.hash
    assert str(report).startswith(f"ok: {SIZE} events checked")


def test_empty_log_verifies(store: EventStore) -> None:
    """A log with no events is intact, at position 0 with the genesis hash."""
    report = store.verify()
    assert report.ok
    assert (report.checked, report.head_position, report.head_hash) == (0, 0, GENESIS_HASH)


@pytest.mark.parametrize("start", [2, MIDDLE, SIZE, SIZE + 1])
def test_verify_from_a_position_checks_the_rest(log_store: EventStore, start: int) -> None:
    """verify(from_position=N) checks N to the head, anchored on the stored hash at N-1."""
    report = log_store.verify(from_position=start)
    assert report.ok, report
    assert report.checked == SIZE - start + 1
    assert report.head_position == SIZE
    assert report.head_hash == log_store.head().hash


@pytest.mark.parametrize("start", [SIZE + 2, 999])
def test_verify_from_beyond_the_head_says_how_long_the_log_is(log_store: EventStore,
                                                              start: int) -> None:
    """A start past the head names the log's length, not the position before the start."""
    with pytest.raises(EventStoreError) as raised:
        log_store.verify(from_position=start)
    assert str(raised.value) == (
        f"cannot check from position {start}: the log has only {SIZE} events")


def test_verify_a_range(log_store: EventStore) -> None:
    """verify(from_position, to_position) checks exactly that range."""
    report = log_store.verify(from_position=5, to_position=12)
    assert report.ok
    assert (report.checked, report.head_position) == (8, 12)
    assert report.head_hash == log_store.hash_at(12)


def test_verify_from_a_position_sees_alterations_after_it_only(log_store: EventStore) -> None:
    """A check from N trusts the hash at N-1 and catches what changed from N on."""
    row = stored_row(log_store, MIDDLE)
    alter(log_store, MIDDLE, data=changed_value("data", row))
    assert log_store.verify(from_position=MIDDLE + 1).ok
    report = log_store.verify(from_position=MIDDLE - 3)
    assert (report.ok, report.first_bad_position, report.checked) == (False, MIDDLE, 3)


def test_verify_from_a_position_after_a_removed_event(log_store: EventStore) -> None:
    """Starting just after a deleted event reports the hole instead of failing to anchor."""
    with log_store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position == MIDDLE))
    report = log_store.verify(from_position=MIDDLE + 1)
    assert not report.ok
    assert report.first_bad_position == MIDDLE
    assert report.problem and "missing" in report.problem


@pytest.mark.parametrize(
    ("column", "value"),
    [("event_id", "not-a-uuid"), ("event_id", "")],
    ids=["text", "empty"],
)
def test_unreadable_alteration_is_reported_not_raised(log_store: EventStore, column: str,
                                                      value: str) -> None:
    """A value no reader can decode is reported at its position rather than crashing verify."""
    alter(log_store, MIDDLE, **{column: value})
    assert_broken_at(log_store, MIDDLE)


@pytest.mark.parametrize(
    ("column", "value"),
    [("occurred_at", "'yesterday'"), ("recorded_at", "'2018-13-45 25:61:00'"),
     ("version", "'ten'"), ("schema_version", "'one'"), ("data", "x'00ff'")],
)
def test_unreadable_raw_value_on_sqlite_is_reported(sqlite_url: str, column: str,
                                                    value: str) -> None:
    """SQLite stores any type in any column: nonsense written there is reported, not raised."""
    with EventStore.open(sqlite_url, create=True, clock=ticking_clock()) as store:
        write_log(store)
        drop_immutability(store.engine)
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                f"UPDATE events SET {column} = {value} WHERE position = {MIDDLE}"
            )
        assert_broken_at(store, MIDDLE)


def test_truncating_the_newest_events_leaves_the_tree_behind(log_store: EventStore) -> None:
    """Dropping the tail's events alone leaves Merkle tree nodes covering them: reported."""
    with log_store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position > SIZE - 3))
    report = log_store.verify()
    assert not report.ok
    assert report.first_bad_position == SIZE - 2
    assert "covers events that are not in the log" in (report.problem or "")


def test_truncating_events_and_tree_shows_only_in_the_head(log_store: EventStore) -> None:
    """Dropping the tail and its tree nodes leaves a consistent shorter log: only a head hash
    or a checkpoint kept elsewhere notices (tests/eventstore/test_witness.py)."""
    published = log_store.verify().head_hash
    with log_store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position > SIZE - 3))
        connection.execute(tree_hashes.delete().where(tree_hashes.c.position > SIZE - 3))
    report = log_store.verify()
    assert report.ok, report
    assert report.head_position == SIZE - 3
    assert report.head_hash != published


def canonical_time(moment: datetime) -> str:
    """The documented time text: UTC, microseconds, a Z."""
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z")


def recipe_hash(lines: list[str], event: RecordedEvent | None = None) -> str:
    """The documented recipe: SHA-256, lowercase hex, of the eleven lines joined by newlines.

    For an envelope 2 `event`, the line ``opslog-event-v2`` comes first and the data line
    is the canonical JSON of each field's SHA-256 over ``[salt, name, value]``, computed
    here from the stored salts and values.
    """
    assert len(lines) == 11
    if event is not None and event.envelope == 2:
        salts = json.loads(event.salts_json or "{}")
        data = json.loads(lines[9])
        digests = {
            name: hashlib.sha256(json.dumps([salts[name], name, value], ensure_ascii=False,
                                            separators=(",", ":")).encode()).hexdigest()
            for name, value in data.items()}
        lines = ["opslog-event-v2", *lines[:9],
                 json.dumps(digests, sort_keys=True, separators=(",", ":")), lines[10]]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def test_hash_follows_the_documented_recipe(database_url: str) -> None:
    """Hashes recomputed here from the docstring's recipe equal the stored ones."""
    recorded = datetime(2018, 7, 2, 9, 15, 30, 123456, tzinfo=UTC)
    occurred = datetime(2018, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    data = {"boroughs": ["Kingston", "Merton"], "cost": "£250m", "officers": 1_200,
            "went_live": True, "note": None, "ratio": 0.064}
    with EventStore.open(database_url, create=True, clock=lambda: recorded) as store:
        store.append("bcu-south-west", [
            NewEvent("UnitWentLive", data, {"actor": "a\nb"}, occurred, first_id,
                     schema_version=3),
            NewEvent("UnitRenamed", {}, None, None, second_id),
        ])
        stored = list(store.read_all())
    first_lines = [
        "1", str(first_id), "bcu-south-west", "1", "UnitWentLive", "3",
        "2018-05-01T09:30:00.000000Z", "2018-07-02T09:15:30.123456Z", "0" * 64,
        '{"boroughs":["Kingston","Merton"],"cost":"£250m","note":null,"officers":1200,'
        '"ratio":0.064,"went_live":true}',
        '{"actor":"a\\nb"}',
    ]
    first_hash = recipe_hash(first_lines, stored[0])
    second_hash = recipe_hash([
        "2", str(second_id), "bcu-south-west", "2", "UnitRenamed", "1",
        "2018-07-02T09:15:30.123456Z", "2018-07-02T09:15:30.123456Z", first_hash, "{}", "{}",
    ], stored[1])
    assert [(e.prev_hash, e.hash) for e in stored] == [
        (GENESIS_HASH, first_hash), (first_hash, second_hash)
    ]


@pytest.mark.parametrize(
    "occurred_at",
    [datetime(999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)],
    ids=["year-999", "year-1"],
)
def test_hash_recipe_holds_for_early_years(store: EventStore, occurred_at: datetime) -> None:
    """Times before year 1000 are hashed with the documented four-digit year, on any platform."""
    store.append("a-1", [NewEvent("T", {}, occurred_at=occurred_at)])
    (event,) = store.read_all()
    lines = [
        "1", str(event.event_id), "a-1", "1", "T", "1", canonical_time(occurred_at),
        canonical_time(event.recorded_at), GENESIS_HASH, "{}", "{}",
    ]
    assert event.hash == recipe_hash(lines, event)
    assert store.verify().ok


def test_event_hash_function_matches_the_recipe() -> None:
    """eventstore.event_hash, which auditors may call, is the documented recipe."""
    moment = datetime(2018, 4, 1, 9, tzinfo=UTC)
    event_id = uuid.UUID(int=7)
    assert event_hash(
        position=3, event_id=event_id, stream_id="a-1", version=2, type="T", schema_version=1,
        occurred_at=moment, recorded_at=moment, prev_hash="ab" * 32, data_json="{}",
        metadata_json='{"k":1}',
    ) == recipe_hash([
        "3", str(event_id), "a-1", "2", "T", "1", "2018-04-01T09:00:00.000000Z",
        "2018-04-01T09:00:00.000000Z", "ab" * 32, "{}", '{"k":1}',
    ])


def test_events_read_back_carry_their_stored_hashes(log_store: EventStore) -> None:
    """Every event read back rehashes to its stored hash and links to the one before."""
    previous = GENESIS_HASH
    recorded: list[RecordedEvent] = list(log_store.read_all())
    for event in recorded:
        assert event.prev_hash == previous
        assert event.hash == event_hash(
            position=event.position, event_id=event.event_id, stream_id=event.stream_id,
            version=event.version, type=event.type, schema_version=event.schema_version,
            occurred_at=event.occurred_at, recorded_at=event.recorded_at,
            prev_hash=event.prev_hash, data_json=event.data_json,
            metadata_json=event.metadata_json, envelope=event.envelope,
            digests_json=event.digests_json,
        )
        previous = event.hash
    assert len(recorded) == SIZE


def with_session_time_zone(url: str, zone: str) -> str:
    """The same PostgreSQL URL, its sessions set to `zone`."""
    parsed = sa.engine.make_url(url)
    options = f"{parsed.query.get('options', '')} -c TimeZone={zone}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_chain_does_not_depend_on_the_session_time_zone(postgres_url: str) -> None:
    """Events written by sessions in one zone verify, and read back equal, in another."""
    written: list[RecordedEvent] = []
    for zone in ("Pacific/Chatham", "America/St_Johns"):
        url = with_session_time_zone(postgres_url, zone)
        with EventStore.open(url, create=True) as store:
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW TimeZone").scalar() == zone
            occurred = datetime(2018, 10, 28, 1, 30, tzinfo=timezone(timedelta(hours=1)))
            store.append("unit-1", [NewEvent("T", {"zone": zone}, occurred_at=occurred)])
            written = list(store.read_all())
            assert store.verify().ok
    with EventStore.open(with_session_time_zone(postgres_url, "UTC")) as store:
        assert list(store.read_all()) == written
        assert all(e.occurred_at.utcoffset() == timedelta(0) for e in written)
        report = store.verify()
        assert report.ok and report.checked == 2
