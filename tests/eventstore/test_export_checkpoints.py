"""Exports carry the log's signed checkpoints; reading one checks each root against the
events before it, and an import keeps them and rebuilds the tree."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from eventstore import EventStore, NewEvent
from eventstore.checkpoints import all_checkpoints, make_checkpoint
from eventstore.errors import ImportRefused
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log
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
