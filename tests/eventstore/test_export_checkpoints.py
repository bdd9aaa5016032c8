"""Exports carry the log's signed checkpoints; reading one checks each root against the
events before it, and an import keeps them and rebuilds the tree."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest

from eventstore import EventStore, NewEvent
from eventstore.checkpoints import all_checkpoints, make_checkpoint
from eventstore.errors import ImportRefused
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log
from eventstore.transparency import note
from eventstore.transparency.note import Signer
from eventstore.tree import root_at

KEY = Signer.from_seed("opslog.example/export", bytes(range(32)))
SIZES = (0, 3, 3, 7, 9)


@pytest.fixture
def signed(store: EventStore) -> EventStore:
    """Nine events and checkpoints of sizes 0, 3 (twice), 7 and 9, made as the log grew."""
    make_checkpoint(store.engine, KEY, KEY.name)
    for n in range(9):
        store.append(f"unit-{n % 2}", [NewEvent("Reported", {"n": n})])
        if n + 1 in SIZES:
            make_checkpoint(store.engine, KEY, KEY.name)
            if n + 1 == 3:
                make_checkpoint(store.engine, KEY, KEY.name)
    return store


def exported(store: EventStore, until: int | None = None) -> bytes:
    target = io.BytesIO()
    export_log(store, target, until)
    return target.getvalue()


def test_checkpoints_follow_the_event_at_their_size_and_verify(signed: EventStore) -> None:
    content = exported(signed)
    lines = [json.loads(line) for line in content.splitlines()]
    kinds = ["checkpoint" if "checkpoint" in line else "commit" if "commit" in line
             else "header" if "format" in line else line["position"] for line in lines]
    assert kinds == ["header", "checkpoint", 1, 2, 3, "checkpoint", "checkpoint", 4, 5, 6, 7,
                     "checkpoint", 8, 9, "checkpoint"]
    assert lines[0]["checkpoint_count"] == len(SIZES)
    assert verify_export(io.BytesIO(content)).ok
    part = exported(signed, until=5)
    assert [json.loads(x)["checkpoint"]["tree_size"] for x in part.splitlines()
            if b'"checkpoint"' in x] == [0, 3, 3]
    assert verify_export(io.BytesIO(part)).ok


def test_an_import_keeps_the_checkpoints_and_the_tree(signed: EventStore,
                                                      tmp_path: Path) -> None:
    content = exported(signed)
    with EventStore.open(f"sqlite:///{tmp_path / 'copy.db'}", create=True) as target:
        assert import_log(target, io.BytesIO(content)).ok
        assert target.verify().ok
        with target.engine.connect() as connection, signed.engine.connect() as original:
            copied = [(c.size, c.root, c.note) for c in all_checkpoints(connection)]
            assert copied == [(c.size, c.root, c.note) for c in all_checkpoints(original)]
            for size, root, _ in copied:
                assert root_at(connection, size) == root


def _refused(content: bytes, line: int, reason: str) -> None:
    report = verify_export(io.BytesIO(content))
    assert not report.ok and report.first_bad_line == line, report
    assert reason in str(report.problem), report


def test_a_checkpoint_that_does_not_match_the_events_is_refused(signed: EventStore,
                                                                tmp_path: Path) -> None:
    lines = exported(signed).splitlines(keepends=True)
    other = make_checkpoint(signed.engine, KEY, KEY.name)  # size 9, moved to after event 3
    moved = [*lines[:5], lines[-1], *lines[5:-1]]
    _refused(b"".join(moved), 6, "of size 9, but it stands after 3 events")
    forged = json.loads(lines[5])
    value = forged["checkpoint"]
    value["root_hash"] = other.root.hex()
    value["note"] = value["note"].replace(
        value["note"].split("\n")[2], base64.b64encode(other.root).decode())
    forged_line = json.dumps(forged, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    _refused(b"".join([*lines[:5], forged_line, *lines[6:]]), 6,
             "history differs from what was signed")
    dropped = b"".join([*lines[:5], *lines[6:]])
    _refused(dropped, len(lines), "checkpoints but the header says")
    with EventStore.open(f"sqlite:///{tmp_path / 'copy.db'}", create=True) as target, \
            pytest.raises(ImportRefused, match="checkpoint"):
        import_log(target, io.BytesIO(dropped))


def _resigned(content: bytes, by: Signer) -> bytes:
    """The export with every checkpoint's note signed again by `by` alone, and the header's
    checkpoint digest made again: what whoever holds the database and no key can write."""
    lines = content.splitlines(keepends=True)
    forged: list[bytes] = []
    for line in lines[1:]:
        if line.startswith(b'{"checkpoint":'):
            value = json.loads(line)
            text = note.parse(value["checkpoint"]["note"]).text
            value["checkpoint"]["note"] = note.sign(text, by)
            line = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        forged.append(line)
    old_digest = hashlib.sha256(b"".join(x for x in lines if x.startswith(b'{"checkpoint":')))
    new_digest = hashlib.sha256(b"".join(x for x in forged if x.startswith(b'{"checkpoint":')))
    header = lines[0].replace(old_digest.hexdigest().encode(), new_digest.hexdigest().encode())
    return b"".join([header, *forged])


def test_checkpoint_signatures_are_checked_only_with_the_log_key(signed: EventStore,
                                                                 tmp_path: Path) -> None:
    """Roots alone cannot tell the log's checkpoints from ones signed by another key; with
    the log's public key the first such checkpoint is refused, and nothing is imported."""
    content = exported(signed)
    report = verify_export(io.BytesIO(content), log_key=KEY.verifier())
    assert report.ok and report.signatures_checked and report.checkpoints == len(SIZES)
    impostor = Signer.from_seed(KEY.name, bytes(range(1, 33)))  # same name, another key
    forged = _resigned(content, impostor)
    unchecked = verify_export(io.BytesIO(forged))
    assert unchecked.ok and not unchecked.signatures_checked
    assert unchecked.checkpoints == len(SIZES)
    refused = verify_export(io.BytesIO(forged), log_key=KEY.verifier())
    assert not refused.ok and refused.first_bad_line == 2, refused
    assert "signature does not verify with the log key opslog.example/export" in str(
        refused.problem)
    other_log = verify_export(io.BytesIO(content), log_key=impostor.verifier())
    assert not other_log.ok and other_log.first_bad_line == 2
    with EventStore.open(f"sqlite:///{tmp_path / 'copy.db'}", create=True) as target:
        with pytest.raises(ImportRefused, match="line 2: checkpoint of size 0: its signature"):
            import_log(target, io.BytesIO(forged), log_key=KEY.verifier())
        assert target.head().position == 0
        assert import_log(target, io.BytesIO(content), log_key=KEY.verifier()).signatures_checked
        assert target.verify().ok
