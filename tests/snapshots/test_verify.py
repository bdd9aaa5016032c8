"""Verifying snapshots: intact ones pass; any altered row or event is named, with where."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from catalogue import Quarter
from eventstore.tables import events
from projections import query
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.board import build_board
from projections.snapshots.registry import load_snapshot
from projections.snapshots.taking import take_snapshot
from projections.snapshots.verify import Verdict, first_difference, verify_snapshots
from tests.eventstore.tampering import drop_immutability
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log
from tests.snapshots.conftest import maker
from tests.snapshots.tampering import alter_snapshot, drop_snapshot_immutability

Q1 = Quarter(2018, 1)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def snapshot_id(writer: LogWriter, q1: Q1Log) -> int:
    """Quarter 1 as the log said on 15 July 2018, stored; its triggers dropped for tampering."""
    taken = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    drop_snapshot_immutability(writer.store.engine)
    return taken.info.id


def verify(writer: LogWriter, snapshot_id: int) -> Verdict:
    [verdict] = verify_snapshots(writer.store, [snapshot_id], "test")
    return verdict


def texts(writer: LogWriter, snapshot_id: int) -> dict[str, str]:
    with writer.store.engine.connect() as connection:
        found = load_snapshot(connection, snapshot_id)
    assert found is not None
    return found.texts


def test_an_intact_snapshot_verifies(writer: LogWriter, snapshot_id: int) -> None:
    """Chain, cut-off, state and both renderings all match the log."""
    verdict = verify(writer, snapshot_id)
    assert verdict.ok, [str(finding) for finding in verdict.findings]


def test_every_snapshot_is_verified_in_one_pass(writer: LogWriter, snapshot_id: int) -> None:
    """Several snapshots at several positions are each checked against their own cut-off."""
    later = take_snapshot(writer.store, Q1, at("2018-07-30T00:00"), maker()).info.id
    earlier = take_snapshot(writer.store, Q1, at("2018-06-01T00:00"), maker()).info.id
    verdicts = verify_snapshots(writer.store, [later, snapshot_id, earlier], "test")
    assert [verdict.info.id for verdict in verdicts] == [earlier, snapshot_id, later]
    assert all(verdict.ok for verdict in verdicts)


def test_an_altered_rendering_is_named_with_its_first_different_line(
        writer: LogWriter, snapshot_id: int) -> None:
    """Markdown and its hash both rewritten: the log's rendering differs from line N on."""
    markdown = texts(writer, snapshot_id)["markdown"]
    lines = markdown.splitlines(keepends=True)
    number = next(index for index, line in enumerate(lines, 1) if "(delivered)" in line)
    lines[number - 1] = lines[number - 1].replace("(delivered)", "(some delay)")
    altered = "".join(lines)
    alter_snapshot(writer.store.engine, snapshot_id, markdown=altered,
                   markdown_sha256=sha256(altered))
    verdict = verify(writer, snapshot_id)
    assert [finding.part for finding in verdict.findings] == ["Markdown"]
    detail = verdict.findings[0].detail
    assert f"recorded SHA-256 {sha256(altered)}, the log gives {sha256(markdown)}" in detail
    assert f"first difference at line {number}:" in detail and "(some del" in detail


def test_a_rendering_altered_without_its_hash_is_named(writer: LogWriter,
                                                       snapshot_id: int) -> None:
    """The stored HTML no longer matches the SHA-256 recorded beside it."""
    html = texts(writer, snapshot_id)["html"]
    alter_snapshot(writer.store.engine, snapshot_id, html=html.replace("delivered", "on track"))
    verdict = verify(writer, snapshot_id)
    assert [str(finding) for finding in verdict.findings] == [
        f"HTML: the stored text does not match its recorded SHA-256 "
        f"{sha256(html)}"]


def test_an_altered_head_hash_is_named(writer: LogWriter, snapshot_id: int) -> None:
    """The recorded chain head must be the hash the chain gives at the snapshot's position."""
    alter_snapshot(writer.store.engine, snapshot_id, head_hash="f" * 64)
    verdict = verify(writer, snapshot_id)
    assert [finding.part for finding in verdict.findings] == ["head hash"]
    assert "recorded ffff" in verdict.findings[0].detail


def test_an_altered_state_is_named_and_never_answers(writer: LogWriter,
                                                     snapshot_id: int) -> None:
    """A state changed without its hash never answers: the log does, and the caller is told
    why; with its hash, verify names it."""
    state = texts(writer, snapshot_id)["board_state"]
    altered = state.replace('"delivered"', '"some_delay"')
    alter_snapshot(writer.store.engine, snapshot_id, board_state=altered)
    position = writer.store.position_at(at("2018-07-15T00:00"))
    told: list[str] = []
    answered = query.board(writer.store, Q1, Cutoff(position + 1), notice=told.append)
    from_log = build_board(fold(writer.store.read_all(to_position=position + 1)), Q1,
                           Cutoff(position + 1))
    assert answered == from_log and answered.rows[0].status == "delivered"
    assert len(told) == 1
    assert told[0].startswith(f"snapshot {snapshot_id}: its stored board state")
    alter_snapshot(writer.store.engine, snapshot_id, board_state_sha256=sha256(altered))
    verdict = verify(writer, snapshot_id)
    assert [finding.part for finding in verdict.findings] == ["board state"]
    assert "first difference at character" in verdict.findings[0].detail


def test_an_altered_event_breaks_the_chain_at_its_position(writer: LogWriter, q1: Q1Log,
                                                           snapshot_id: int) -> None:
    """An event rewritten under the snapshot: the chain is broken there, and the renderings
    made from the altered log differ too."""
    target = q1["report-vctf"].position
    drop_immutability(writer.store.engine)
    with writer.store.engine.begin() as connection:
        data = connection.execute(sa.select(events.c.data).where(
            events.c.position == target)).scalar_one()
        connection.execute(sa.update(events).where(events.c.position == target).values(
            data=data.replace('"delivered"', '"some_delay"')))
    verdict = verify(writer, snapshot_id)
    parts = [finding.part for finding in verdict.findings]
    assert parts[0] == "chain"
    assert f"broken at position {target}" in verdict.findings[0].detail
    assert "Markdown" in parts and "HTML" in parts


def test_a_moved_cut_off_is_named(writer: LogWriter, snapshot_id: int) -> None:
    """The recorded cut-off time must still map to the recorded position."""
    alter_snapshot(writer.store.engine, snapshot_id, cutoff_at=at("2018-07-01T00:00"))
    verdict = verify(writer, snapshot_id)
    assert "cut-off" in [finding.part for finding in verdict.findings]


def test_first_difference_names_lines_or_characters() -> None:
    """Multi-line texts differ at a line; one-line texts (the states) at a character."""
    assert first_difference("a\nb\nc\n", "a\nB\nc\n").startswith("first difference at line 2")
    assert first_difference("a\nb\n", "a\nb\nc\n") == (
        "stored text has 2 lines, the log gives 3")
    assert first_difference('{"x":1}', '{"x":2}').startswith(
        "first difference at character 5")
