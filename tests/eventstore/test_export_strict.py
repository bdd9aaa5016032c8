"""verify-export reads only what an export writes, byte for byte, and keeps the commits.

A repeated key, a space, an escaped character or a reordered field parses to the same
values, so only re-encoding the line and comparing bytes catches it; and version 1 files
(no idempotency records) still verify and import.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from eventstore import EventStore, NewEvent
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log


def _export(store: EventStore) -> bytes:
    store.append("unit-a", [NewEvent("Formed", {"name": "A"}, {"actor": "a"})],
                 idempotency_key="first")
    store.append("unit-b", [NewEvent("Formed", {"name": "B"}, {"actor": "b"})])
    target = io.BytesIO()
    export_log(store, target)
    return target.getvalue()


def _line(content: bytes, number: int) -> bytes:
    return content.splitlines(keepends=True)[number - 1]


def _replace_line(content: bytes, number: int, new: bytes) -> bytes:
    lines = content.splitlines(keepends=True)
    lines[number - 1] = new
    return b"".join(lines)


TAMPERS = {
    "a repeated key in an event": (2, lambda line: line.replace(
        b'{"position":1,', b'{"position":1,"position":1,', 1), "appears twice"),
    "a repeated key in the header": (1, lambda line: line.replace(
        b'"format_version":3,', b'"format_version":3,"format_version":3,', 1), "appears twice"),
    "a space after a comma": (2, lambda line: line.replace(b",", b", ", 1), "byte for byte"),
    "an escaped letter": (2, lambda line: line.replace(b'"unit-a"', b'"\\u0075nit-a"', 1),
                          "byte for byte"),
    "fields reordered": (3, lambda line: line.replace(
        b'{"position":2,"event_id":', b'{"event_id":', 1).replace(
        b'"stream_id"', b'"position":2,"stream_id"', 1), "byte for byte"),
    "a space in the header": (1, lambda line: line.replace(b'":', b'": ', 1), "byte for byte"),
    "a space in a commit line": (4, lambda line: line.replace(b",", b", ", 1), "byte for byte"),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_a_line_that_is_not_what_an_export_writes_is_refused(store: EventStore,
                                                             name: str) -> None:
    content = _export(store)
    number, tamper, reason = TAMPERS[name]
    changed = _replace_line(content, number, tamper(_line(content, number)))
    assert changed != content
    report = verify_export(io.BytesIO(changed))
    assert not report.ok and report.first_bad_line == number, report
    assert reason in str(report.problem), report


def test_a_version_1_file_still_verifies_and_imports(store: EventStore, tmp_path: Path) -> None:
    content = _export(store)
    header, *events, _commit = content.splitlines(keepends=True)
    value = json.loads(header)
    del value["commit_count"], value["commits_sha256"]
    del value["checkpoint_count"], value["checkpoints_sha256"]
    value["format_version"] = 1
    old = json.dumps(value, separators=(",", ":")).encode() + b"\n" + b"".join(events)
    assert verify_export(io.BytesIO(old)).ok
    with EventStore.open(f"sqlite:///{tmp_path / 'copy.db'}", create=True) as target:
        assert import_log(target, io.BytesIO(old)).checked == 2
        assert target.head() == store.head()


def test_import_keeps_the_idempotency_records(store: EventStore, tmp_path: Path) -> None:
    """Resending a command recorded before the export writes nothing after the import."""
    content = _export(store)
    with EventStore.open(f"sqlite:///{tmp_path / 'copy.db'}", create=True) as target:
        import_log(target, io.BytesIO(content))
        again = target.append("unit-a", [NewEvent("Formed", {"name": "A"}, {"actor": "a"})],
                               idempotency_key="first")
        assert again.replayed and again.first_position == 1
        assert target.head().position == 2
