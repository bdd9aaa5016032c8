"""Export, verify-export and import: the auditor's copy of the log, checked and restored."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eventstore import GENESIS_HASH, EventStore, EventStoreError, NewEvent, event_hash
from eventstore.canonical import format_time
from eventstore.errors import ImportRefused
from eventstore.export import ExportReport, export_log, verify_export
from eventstore.export_format import COMMIT_FIELDS, EVENT_FIELDS, HEADER_FIELDS, SEALED_FIELDS
from eventstore.importer import import_log

EXPORTED_AT = datetime(2018, 7, 2, 9, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return EXPORTED_AT


def fill(store: EventStore) -> EventStore:
    """Seven events in five commits, with payloads that are hard to carry byte for byte."""
    store.append(
        "milestone-2018-19-q1-vctf",
        [NewEvent("MilestoneScheduled",
                  {"title": "Launch of the Violent Crime Task Force (VCTF)", "due": "2018-19 Q1"},
                  {"actor": "perf.team", "unit": "performance"},
                  datetime(2018, 4, 1, 9, 0, tzinfo=UTC))],
    )
    store.append(
        "bcu-south-west",
        [NewEvent("UnitWentLive",
                  {"boroughs": ["Kingston", "Merton", "Richmond", "Wandsworth"],
                   "text": 'In May, the "BCU" South West\nwent live \\ \u2028 é 😀 \u0000',
                   "officers": 1_200, "share": 0.1, "big": 1e16, "negative_zero": -0.0},
                  {"actor": "sw.lead", "unit": "bcu-sw"},
                  datetime(2018, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))),
                  uuid.UUID("00000000-0000-4000-8000-000000000001"), schema_version=2)],
    )
    store.append_many(
        [("estate-esb", [NewEvent("AssetAcquired", {"price": "£250m"}, {"actor": "estates"}),
                         NewEvent("AssetNamed", {"name": "ESB"}, {"actor": "estates"})], 0),
         ("milestone-2018-19-q1-vctf", [NewEvent("MilestoneProgressReported",
                                                 {"status": "delivered"},
                                                 {"actor": "vctf.lead", "unit": "vctf"})], 1)],
        idempotency_key="cmd-3",
    )
    store.append("bcu-south-west", [NewEvent("UnitRenamed", {"name": "South West"})])
    store.append("ivma-rollout", [NewEvent("RolloutCompleted", {})])
    return store


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    """A store on each backend holding seven varied events."""
    return fill(store)


@pytest.fixture
def exported(tmp_path: Path) -> bytes:
    """The export of a SQLite log holding the seven varied events."""
    with fresh_store(f"sqlite:///{tmp_path / 'source.db'}") as source:
        return export_bytes(fill(source))


def export_bytes(store: EventStore, until_position: int | None = None) -> bytes:
    """The store's export as bytes, with a fixed export time."""
    target = io.BytesIO()
    export_log(store, target, until_position, clock=fixed_clock)
    return target.getvalue()


def lines_of(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.splitlines(keepends=True)]


def line_hash(row: dict[str, Any], prev_hash: str) -> str:
    """The hash of an exported event line, computed from its own texts after `prev_hash`."""
    return event_hash(
        position=row["position"], event_id=row["event_id"], stream_id=row["stream_id"],
        version=row["version"], type=row["type"], schema_version=row["schema_version"],
        occurred_at=row["occurred_at"], recorded_at=row["recorded_at"], prev_hash=prev_hash,
        data_json=row["data"], metadata_json=row["metadata"],
        envelope=row.get("envelope", 1), digests_json=row.get("digests"),
    )


def fresh_store(url: str) -> EventStore:
    return EventStore.open(url, create=True)


def assert_empty(store: EventStore) -> None:
    """Nothing at all was written: no event and no commit row."""
    assert store.head().position == 0
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM commits")).scalar() == 0


def test_export_holds_header_and_every_envelope_field(filled: EventStore) -> None:
    """The header states the head; each line has every field with the texts that were hashed."""
    content = export_bytes(filled)
    header, *rows = lines_of(content)
    head = filled.head()
    assert list(header) == list(HEADER_FIELDS)
    assert header == {"format": "opslog-export", "format_version": 3,
                      "head_position": head.position, "head_hash": head.hash,
                      "event_count": 7, "exported_at": "2018-07-02T09:00:00.000000Z",
                      "commit_count": 1, "commits_sha256": header["commits_sha256"],
                      "checkpoint_count": 0,
                      "checkpoints_sha256": hashlib.sha256(b"").hexdigest()}
    *rows, commit = rows
    assert list(commit) == ["commit"] and list(commit["commit"]) == list(COMMIT_FIELDS)
    stored = list(filled.read_all())
    assert len(rows) == len(stored) == 7
    for row, event in zip(rows, stored, strict=True):
        assert list(row) == [*EVENT_FIELDS, *SEALED_FIELDS]
        assert (row["envelope"], row["digests"], row["salts"]) == (
            2, event.digests_json, event.salts_json)
        assert row["data"] == event.data_json and row["metadata"] == event.metadata_json
        assert row["occurred_at"] == format_time(event.occurred_at)
        assert row["recorded_at"] == format_time(event.recorded_at)
        assert (row["position"], row["event_id"], row["hash"], row["prev_hash"]) == (
            event.position, str(event.event_id), event.hash, event.prev_hash)
    assert rows[1]["occurred_at"] == "2018-05-01T09:30:00.000000Z"
    assert content.endswith(b"\n") and content.count(b"\n") == 9


def test_export_hashes_recompute_from_the_lines_alone(filled: EventStore) -> None:
    """Every line's hash is the SHA-256 of its own texts and the line before's hash."""
    _header, *rows, _commit = lines_of(export_bytes(filled))
    prev = GENESIS_HASH
    for row in rows:
        assert row["prev_hash"] == prev
        assert line_hash(row, prev) == row["hash"]
        prev = row["hash"]


def test_verify_export_reports_an_intact_file(filled: EventStore) -> None:
    """An honest export verifies with no database, naming the head the log had."""
    report = verify_export(io.BytesIO(export_bytes(filled)))
    assert isinstance(report, ExportReport)
    assert report.ok and report.checked == 7
    assert (report.head_position, report.head_hash) == (7, filled.head().hash)
    assert str(report).startswith("ok: 7 events checked")


def test_export_until_position_is_a_prefix(filled: EventStore) -> None:
    """``until_position`` exports positions 1..N, with the hash the log had at N."""
    content = export_bytes(filled, until_position=3)
    header, *rows = lines_of(content)
    assert (header["head_position"], header["event_count"]) == (3, 3)
    assert header["head_hash"] == filled.hash_at(3)
    assert [row["position"] for row in rows] == [1, 2, 3]
    assert verify_export(io.BytesIO(content)).ok


@pytest.mark.parametrize("until", [-1, 8, 100])
def test_export_until_outside_the_log_is_refused(filled: EventStore, until: int) -> None:
    """A position beyond the head (or below zero) is an error, not a silently shorter file."""
    with pytest.raises(EventStoreError, match="outside the log"):
        export_bytes(filled, until_position=until)


def test_empty_log_exports_imports_and_verifies(store: EventStore, tmp_path: Path) -> None:
    """An empty log's export is a header at position 0 with the genesis hash, and imports."""
    content = export_bytes(store)
    assert lines_of(content) == [{"format": "opslog-export", "format_version": 3,
                                  "head_position": 0, "head_hash": GENESIS_HASH,
                                  "event_count": 0, "exported_at": "2018-07-02T09:00:00.000000Z",
                                  "commit_count": 0,
                                  "commits_sha256": hashlib.sha256(b"").hexdigest(),
                                  "checkpoint_count": 0,
                                  "checkpoints_sha256": hashlib.sha256(b"").hexdigest()}]
    assert verify_export(io.BytesIO(content)).ok
    with fresh_store(f"sqlite:///{tmp_path / 'copy.db'}") as target:
        assert import_log(target, io.BytesIO(content)).ok
        assert_empty(target)


def test_round_trip_sqlite_postgresql_and_back(sqlite_url: str, postgres_url: str,
                                               tmp_path: Path) -> None:
    """SQLite → export → PostgreSQL → export → SQLite keeps every event, hash and head."""
    with fresh_store(sqlite_url) as first, fresh_store(postgres_url) as second, \
            fresh_store(f"sqlite:///{tmp_path / 'third.db'}") as third:
        fill(first)
        exported = export_bytes(first)
        report = import_log(second, io.BytesIO(exported))
        assert report.ok and report.checked == 7
        exported_again = export_bytes(second)
        import_log(third, io.BytesIO(exported_again))
        assert exported_again == exported
        assert export_bytes(third) == exported
        original = list(first.read_all())
        for copy in (second, third):
            assert copy.verify().ok
            assert copy.head() == first.head()
            assert list(copy.read_all()) == original
            assert [e.data for e in copy.read_all()] == [e.data for e in original]


def test_imported_log_takes_new_appends(filled: EventStore, tmp_path: Path) -> None:
    """After an import the log continues: the next append chains onto the imported head."""
    with fresh_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        import_log(copy, io.BytesIO(export_bytes(filled)))
        result = copy.append("bcu-south-west", [NewEvent("UnitRenamed", {"name": "SW"})], 2)
        assert result.first_position == 8
        assert copy.verify().ok


def test_import_reports_progress_for_both_passes(filled: EventStore, tmp_path: Path) -> None:
    """Progress is told of the verifying pass, then of the writing pass, each to the end."""
    seen: list[tuple[str, int, int]] = []
    with fresh_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        import_log(copy, io.BytesIO(export_bytes(filled)),
                   progress=lambda *args: seen.append(args))
    assert seen == [("verifying", 7, 7), ("importing", 7, 7)]


def test_import_writes_in_batches_within_one_transaction(exported: bytes,
                                                         store: EventStore) -> None:
    """Batches smaller than the file give the whole log, in order, all at once: a reader
    sees nothing until the last batch is committed, and a failure after the last batch
    leaves nothing written."""
    seen_by_reader: list[tuple[str, int, int]] = []

    def read_elsewhere(phase: str, done: int, total: int) -> None:
        if phase == "importing" and done == total:  # every batch written, not committed
            seen_by_reader.append((phase, done, store.head().position))

    last = 1 + sum(line.startswith(b'{"position"') for line in exported.splitlines())
    changed = replace_once(exported, b"RolloutCompleted", b"RolloutCompletes", last)
    with pytest.raises(ImportRefused, match="changed while it was being imported"):
        import_log(store, ChangingFile(exported, changed), read_elsewhere, batch_size=2)
    assert seen_by_reader == [("importing", 7, 0)]
    assert_empty(store)

    seen_by_reader.clear()
    import_log(store, io.BytesIO(exported), read_elsewhere, batch_size=2)
    assert seen_by_reader == [("importing", 7, 0)]
    assert [event.hash for event in store.read_all()] == [
        line["hash"] for line in lines_of(exported)[1:] if "hash" in line]


# -- tampering -----------------------------------------------------------------------------


def replace_once(content: bytes, old: bytes, new: bytes, line: int) -> bytes:
    """`content` with the first `old` on 1-based `line` replaced by `new` (same length)."""
    assert len(old) == len(new)
    lines = content.splitlines(keepends=True)
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return b"".join(lines)


def field_bytes(content: bytes, line: int, field: str) -> bytes:
    """The JSON text of one field's value on `line` (as written in the file)."""
    value = json.loads(content.splitlines()[line - 1])[field]
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def flip_digit(text: bytes) -> bytes:
    """`text` with its last decimal or hex digit changed (keeping it lowercase hex)."""
    for index in range(len(text) - 1, -1, -1):
        char = chr(text[index])
        if char in "0123456789abcdef":
            new = "1" if char == "0" else "0"
            return text[:index] + new.encode() + text[index + 1:]
    raise AssertionError(f"no digit in {text!r}")


Tamper = Callable[[bytes], bytes]

TAMPERINGS: dict[str, tuple[Tamper, int, str]] = {
    "a letter in data text": (
        lambda c: replace_once(c, b"Kingston", b"Kingstom", 3), 3, "does not match its digest"),
    "an escaped quote in data text": (
        lambda c: replace_once(c, b'\\\\\\"BCU', b'\\\\\\"BCV', 3), 3, "does not match its digest"),
    "a digit of occurred_at": (
        lambda c: replace_once(c, b"2018-05-01T09:30", b"2018-05-01T09:31", 3), 3,
        "hash does not match"),
    "a digit of recorded_at": (
        lambda c: replace_once(c, field_bytes(c, 2, "recorded_at"),
                               flip_digit(field_bytes(c, 2, "recorded_at")), 2), 2,
        "hash does not match"),
    "a time made non-canonical": (
        lambda c: replace_once(c, field_bytes(c, 4, "recorded_at"),
                               field_bytes(c, 4, "recorded_at").replace(b"T", b" "), 4), 4,
        "not a canonical UTC time"),
    "a hex digit of a hash": (
        lambda c: replace_once(c, field_bytes(c, 4, "hash"),
                               flip_digit(field_bytes(c, 4, "hash")), 4), 4,
        "hash does not match"),
    "a hex digit of a prev_hash": (
        lambda c: replace_once(c, field_bytes(c, 6, "prev_hash"),
                               flip_digit(field_bytes(c, 6, "prev_hash")), 6), 6,
        "prev_hash does not match"),
    "the version": (
        lambda c: replace_once(c, b'"version":2', b'"version":3', 5), 5, "hash does not match"),
    "the stream id": (
        lambda c: replace_once(c, b'"estate-esb"', b'"estate-esc"', 5), 5, "hash does not match"),
    "the event id": (
        lambda c: replace_once(c, b"8000-000000000001", b"8000-000000000002", 3), 3,
        "hash does not match"),
    "the position": (
        lambda c: replace_once(c, b'{"position":4,', b'{"position":5,', 5), 5,
        "holds position 5 where 4 was expected"),
    "the header's head_hash": (
        lambda c: replace_once(c, field_bytes(c, 1, "head_hash"),
                               flip_digit(field_bytes(c, 1, "head_hash")), 1), 1,
        "head_hash"),
    "the header's event_count": (
        lambda c: replace_once(c, b'"event_count":7', b'"event_count":6', 1), 1,
        "differs from head_position"),
    "the header's format": (
        lambda c: replace_once(c, b"opslog-export", b"opslog-exporT", 1), 1,
        "not an opslog export header"),
    "a structural character": (
        lambda c: replace_once(c, b'"type":', b'"type";', 2), 2, "not valid JSON"),
    "a byte of a multi-byte character": (
        lambda c: replace_once(c, "é".encode(), b"\xc3\x28", 3), 3, "not valid UTF-8"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_one_byte_change_is_named_by_verify_export(exported: bytes, name: str) -> None:
    """Each one-byte change is found, at the line it was made on, with what is wrong."""
    tamper, line, problem = TAMPERINGS[name]
    original = exported
    tampered = tamper(original)
    assert len(tampered) == len(original)
    assert sum(a != b for a, b in zip(tampered, original, strict=True)) == 1
    report = verify_export(io.BytesIO(tampered))
    assert not report.ok
    assert report.first_bad_line == line, report
    assert problem in str(report.problem)


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_one_byte_change_is_refused_by_import(exported: bytes, store: EventStore,
                                              name: str) -> None:
    """Import refuses a changed file, names the line and writes nothing, on both backends."""
    tamper, line, problem = TAMPERINGS[name]
    with pytest.raises(ImportRefused) as caught:
        import_log(store, io.BytesIO(tamper(exported)))
    assert caught.value.line == line
    assert problem in str(caught.value)
    assert_empty(store)


def exported_at_span(content: bytes) -> range:
    """Byte offsets of the header's exported_at value: the one thing the chain does not cover."""
    start = content.index(b'"exported_at":"') + len(b'"exported_at":"')
    return range(start, content.index(b'"', start))


def test_every_single_byte_change_is_caught(store: EventStore) -> None:
    """Changing any one byte of an export (bar the informational exported_at) is detected."""
    store.append("unit-a", [NewEvent("Formed", {"name": "VCTF", "n": 1}, {"actor": "a"})],
                 idempotency_key="k-1")
    store.append("unit-b", [NewEvent("Formed", {"name": "é\n\"q\"", "x": [1.5, None]},
                                     {"unit": "u"})])
    content = export_bytes(store)
    ignored = exported_at_span(content)
    missed = []
    for offset in range(len(content)):
        if offset in ignored:
            continue
        for change in (0x01, 0x20):
            tampered = bytearray(content)
            tampered[offset] ^= change
            if not verify_export(io.BytesIO(bytes(tampered))).ok:
                continue
            missed.append((offset, change, content[max(0, offset - 20):offset + 20]))
    assert missed == []


# -- bad input -----------------------------------------------------------------------------


def swap_lines(content: bytes, first: int, second: int) -> bytes:
    lines = content.splitlines(keepends=True)
    lines[first - 1], lines[second - 1] = lines[second - 1], lines[first - 1]
    return b"".join(lines)


def repeat_line(content: bytes, line: int) -> bytes:
    lines = content.splitlines(keepends=True)
    return b"".join([*lines[:line], lines[line - 1], *lines[line:]])


def first_lines(content: bytes, count: int) -> bytes:
    return b"".join(content.splitlines(keepends=True)[:count])


def drop_line(content: bytes, line: int) -> bytes:
    lines = content.splitlines(keepends=True)
    return b"".join([*lines[: line - 1], *lines[line:]])


BAD_FILES: dict[str, tuple[Tamper, int, str]] = {
    "empty file": (lambda c: b"", 1, "the file is empty"),
    "not JSON": (lambda c: b"this is not an export\n", 1, "not a JSON object"),
    "JSON but not an object": (lambda c: b"[1, 2, 3]\n", 1, "not a JSON object"),
    "wrong header": (lambda c: b'{"format":"csv"}\n' + c.split(b"\n", 1)[1], 1,
                     "not an opslog export header"),
    "newer format_version": (
        lambda c: c.replace(b'"format_version":3', b'"format_version":4', 1), 1,
        "format_version 4"),
    "header missing a field": (
        lambda c: c.replace(b',"exported_at":"2018-07-02T09:00:00.000000Z"', b"", 1), 1,
        "missing field exported_at"),
    "header only": (lambda c: c.split(b"\n", 1)[0] + b"\n", 2, "ends after 0 events"),
    "truncated mid-line": (lambda c: first_lines(c, 8)[:-40], 8, "does not end with a newline"),
    "truncated at a line end": (lambda c: first_lines(c, 7), 8, "ends after 6 events"),
    "a line missing in the middle": (lambda c: drop_line(c, 4), 4,
                                     "holds position 4 where 3 was expected"),
    "lines out of order": (lambda c: swap_lines(c, 3, 4), 3,
                           "holds position 3 where 2 was expected"),
    "a duplicated line": (lambda c: repeat_line(c, 5), 6,
                          "holds position 4 where 5 was expected"),
    "an extra line": (lambda c: c + c.splitlines(keepends=True)[-2], 10,
                      "more events than the header's event_count"),
    "a blank line": (lambda c: c.replace(b"\n", b"\n\n", 1), 2, "not a JSON object"),
    "an unknown field": (lambda c: c.replace(b'{"position":2,', b'{"position":2,"x":0,', 1), 3,
                         "unknown field x"),
    "Windows line ends": (lambda c: c.replace(b"\n", b"\r\n"), 1, "not a JSON object"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_is_refused_and_nothing_written(exported: bytes, store: EventStore,
                                                  name: str) -> None:
    """A malformed file is refused with the line and the reason, on both backends."""
    make, line, problem = BAD_FILES[name]
    bad = make(exported)
    report = verify_export(io.BytesIO(bad))
    assert not report.ok
    assert (report.first_bad_line, problem in str(report.problem)) == (line, True), report
    assert (report.first_bad_position is None) == (line == 1)
    with pytest.raises(ImportRefused, match=f"line {line}"):
        import_log(store, io.BytesIO(bad))
    assert_empty(store)


def test_import_into_a_non_empty_log_is_refused(filled: EventStore, tmp_path: Path) -> None:
    """A log that already holds events is never merged into; it is left as it was."""
    content = export_bytes(filled)
    before = list(filled.read_all())
    with pytest.raises(ImportRefused, match="not empty"):
        import_log(filled, io.BytesIO(content))
    assert list(filled.read_all()) == before


def test_import_into_a_log_with_only_commit_rows_is_refused(store: EventStore) -> None:
    """Any trace of use in the target, even an idempotency record, refuses the import."""
    with store.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO commits VALUES ('k', 'f', 1, 1, '{}', '2018-01-01 00:00:00')"))
    with pytest.raises(ImportRefused, match="not empty"):
        import_log(store, io.BytesIO(b""))


def forge_duplicate_event_id(content: bytes) -> bytes:
    """Give event 3 the id of event 1 and re-hash the chain, as a forger would."""
    header, *rows, commit = lines_of(content)
    rows[2]["event_id"] = rows[0]["event_id"]
    prev = GENESIS_HASH
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = line_hash(row, prev)
    header["head_hash"] = prev
    return b"".join(
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for value in [header, *rows, commit]
    )


def test_duplicate_event_id_is_refused_with_nothing_written(exported: bytes,
                                                           store: EventStore) -> None:
    """A re-hashed file with one id twice fails in the database and is rolled back whole."""
    forged = forge_duplicate_event_id(exported)
    assert verify_export(io.BytesIO(forged)).ok
    with pytest.raises(ImportRefused, match="event id appears twice"):
        import_log(store, io.BytesIO(forged), batch_size=2)
    assert_empty(store)


class ChangingFile(io.BytesIO):
    """A file whose content is replaced after the first pass, as another process might."""

    def __init__(self, first: bytes, second: bytes) -> None:
        super().__init__(first)
        self._second = second
        self._rewound = False

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self._rewound and offset == 0 and whence == 0 and self.tell() > 0:
            self._rewound = True
            position = super().seek(0)
            self.write(self._second)
            self.truncate()
            return super().seek(position)
        return super().seek(offset, whence)


def test_file_changed_between_passes_is_refused(exported: bytes, store: EventStore) -> None:
    """The writing pass checks every line again: a file swapped after verifying rolls back."""
    changed = replace_once(exported, b"Kingston", b"Kingstom", 3)
    with pytest.raises(ImportRefused, match="changed while it was being imported"):
        import_log(store, ChangingFile(exported, changed), batch_size=1)
    assert_empty(store)


def test_import_needs_the_schema(filled: EventStore, tmp_path: Path) -> None:
    """Importing into a database never initialised says so instead of creating tables."""
    content = export_bytes(filled)
    with EventStore.open(f"sqlite:///{tmp_path / 'bare.db'}") as bare, \
            pytest.raises(EventStoreError, match="opslog init"):
        import_log(bare, io.BytesIO(content))


@pytest.fixture
def big_store(sqlite_url: str) -> Iterator[EventStore]:
    """A SQLite store with 25,000 events, enough for several pages and batches."""
    with fresh_store(sqlite_url) as store:
        for commit in range(5):
            store.append_many([
                (f"unit-{commit}-{stream}",
                 [NewEvent("Counted", {"n": n}) for n in range(1_000)], 0)
                for stream in range(5)
            ])
        yield store


def test_long_log_round_trips_through_pages_and_batches(big_store: EventStore,
                                                        tmp_path: Path) -> None:
    """A log longer than a read page and an insert batch exports and imports whole."""
    path = tmp_path / "log.jsonl"
    with path.open("wb") as target:
        export_log(big_store, target)
    with path.open("rb") as source:
        assert verify_export(source).checked == 25_000
    with fresh_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy, path.open("rb") as source:
        import_log(copy, source)
        assert copy.head() == big_store.head()
        assert copy.verify().ok


def test_early_years_export_and_import(store: EventStore, tmp_path: Path) -> None:
    """A time before year 1000 is written with four digits and survives the round trip."""
    store.append("a-1", [NewEvent("T", {}, occurred_at=datetime(999, 12, 31, tzinfo=UTC))])
    content = export_bytes(store)
    assert b'"occurred_at":"0999-12-31T00:00:00.000000Z"' in content
    with fresh_store(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        assert import_log(copy, io.BytesIO(content)).ok
        assert copy.verify().ok and copy.head() == store.head()
