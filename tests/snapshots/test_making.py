"""Making snapshots: what one stores, one per quarter and cut-off, and cut-offs in the past."""

from __future__ import annotations

import hashlib
import threading

import pytest
import sqlalchemy as sa

from catalogue import OperationalUpdate, Quarter
from projections import query
from projections.fold.codec import state_from_json
from projections.fold.cutoff import Cutoff
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from projections.snapshots.content import snapshot_content
from projections.snapshots.registry import load_snapshot, snapshot_infos
from projections.snapshots.tables import snapshots
from projections.snapshots.taking import CutoffNotPassed, Taken, folded_to, take_snapshot
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log
from tests.read_starts import ReadStarts
from tests.snapshots.conftest import maker
from tests.snapshots.tampering import alter_snapshot, drop_snapshot_immutability

Q1 = Quarter(2018, 1)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_snapshot_stores_its_cut_off_proof_renderings_and_maker(writer: LogWriter,
                                                                  q1: Q1Log) -> None:
    """Quarter, cut-off time and position, head hash, state, both renderings with their
    SHA-256, the version and who made it when."""
    cutoff_at = at("2018-07-15T00:00")
    taken = take_snapshot(writer.store, Q1, cutoff_at, maker())
    assert taken.created
    with writer.store.engine.connect() as connection:
        stored = load_snapshot(connection, taken.info.id)
    assert stored is not None
    info = stored.info
    position = writer.store.position_at(cutoff_at)
    assert (info.quarter, info.cutoff_at, info.position) == (Q1, cutoff_at, position)
    assert info.head_hash == writer.store.hash_at(position)
    assert (info.opslog_version, info.created_by, info.created_at) == (
        "test", "alice", at("2018-08-01T09:00"))
    for stem, text in stored.texts.items():
        assert info.hashes[stem] == sha256(text)
    report = query.report(writer.store, Q1, Cutoff(position, None, cutoff_at))
    assert stored.texts["markdown"] == render_markdown(report, audit=True)
    assert stored.texts["html"] == render_html(report, audit=True)
    assert state_from_json(stored.texts["board_state"]).position == position


def test_making_a_snapshot_again_is_a_no_op(writer: LogWriter, q1: Q1Log) -> None:
    """The same quarter at a cut-off naming the same position gives back the first snapshot."""
    first = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    again = take_snapshot(writer.store, Q1, at("2018-07-20T00:00"), maker(made_by="bob"))
    assert not again.created
    assert again.info == first.info
    with writer.store.engine.connect() as connection:
        assert len(snapshot_infos(connection)) == 1


def test_one_position_may_hold_snapshots_of_several_quarters(writer: LogWriter,
                                                             q1: Q1Log) -> None:
    """The key is the quarter and the position together."""
    cutoff_at = at("2018-07-15T00:00")
    first = take_snapshot(writer.store, Q1, cutoff_at, maker())
    second = take_snapshot(writer.store, Q1.next(), cutoff_at, maker())
    assert second.created and second.info.id != first.info.id
    assert second.info.position == first.info.position


def test_racing_makers_store_one_snapshot(writer: LogWriter, q1: Q1Log) -> None:
    """Two makers at once both succeed; the unique key keeps one row."""
    results: list[Taken] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            results.append(take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker()))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=make) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({taken.info.id for taken in results}) == 1
    with writer.store.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar() == 1


def test_a_cut_off_in_the_future_is_refused(writer: LogWriter, q1: Q1Log) -> None:
    """What the log will say at a time still to come is not known, so nothing is made."""
    with pytest.raises(CutoffNotPassed, match="has not passed"):
        take_snapshot(writer.store, Q1, at("2018-09-01T00:00"), maker("2018-08-01T09:00"))
    with writer.store.engine.connect() as connection:
        assert snapshot_infos(connection) == []


def test_a_cut_off_before_the_log_is_an_empty_snapshot(writer: LogWriter, q1: Q1Log) -> None:
    """Position 0: the genesis hash and a report with nothing in it."""
    taken = take_snapshot(writer.store, Q1, at("2017-01-01T00:00"), maker())
    assert taken.info.position == 0
    assert set(taken.info.head_hash) == {"0"}


def test_the_state_holds_only_the_quarters_share(writer: LogWriter, q1: Q1Log) -> None:
    """The board part holds the structure, the board's milestones and the updates that name
    a milestone (a delivered status's evidence), not role grants or other updates; the
    narrative part holds the quarter's other updates and the indicators."""
    taken = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    with writer.store.engine.connect() as connection:
        stored = load_snapshot(connection, taken.info.id)
    assert stored is not None
    board = state_from_json(stored.texts["board_state"])
    narrative = state_from_json(stored.texts["narrative_state"])
    board_types = {record.type for record in board.records.values()}
    updates = [record.current.event for record in board.records.values()
               if isinstance(record.current.event, OperationalUpdate)]
    linked = {event.type_name for event in updates}
    assert linked and board_types - linked == {
        "ThemeDefined", "TopicDefined", "UnitRegistered", "MilestoneScheduled",
        "MilestoneProgressReported"}
    assert all(event.milestone_id for event in updates)
    narrative_types = {record.type for record in narrative.records.values()}
    assert "IndicatorValueRecorded" in narrative_types
    assert "OperationalUpdateRecorded" in narrative_types
    assert not set(board.records) & set(narrative.records)


def test_a_later_snapshot_continues_from_the_earlier_one_and_is_the_same_to_the_byte(
        writer: LogWriter, q1: Q1Log, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a snapshot of the quarter already stored, the next one folds only the events
    after it, and stores what a fold from position 1 makes (renderings and both states)."""
    earlier = take_snapshot(writer.store, Q1, at("2018-05-15T00:00"), maker())
    starts = ReadStarts(monkeypatch).starts
    later = take_snapshot(writer.store, Q1, at("2018-07-31T00:00"), maker())
    monkeypatch.undo()
    assert later.created and later.info.position > earlier.info.position > 0
    assert starts and min(starts) == earlier.info.position + 1
    made = snapshot_content(folded_to(writer.store, later.info.position, None), Q1,
                            at("2018-07-31T00:00"), later.info.head_hash)
    with writer.store.engine.connect() as connection:
        stored = load_snapshot(connection, later.info.id)
    assert stored is not None
    assert stored.texts == {"board_state": made.board_state,
                            "narrative_state": made.narrative_state,
                            "markdown": made.markdown, "html": made.html}


def test_an_earlier_snapshot_that_fails_its_check_is_not_continued_from(
        writer: LogWriter, q1: Q1Log, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored state changed without its hash: the next snapshot folds the log instead."""
    earlier = take_snapshot(writer.store, Q1, at("2018-05-15T00:00"), maker())
    with writer.store.engine.connect() as connection:
        stored = load_snapshot(connection, earlier.info.id)
    assert stored is not None
    altered = stored.texts["board_state"].replace("Taskforce formed", "Taskforce disbanded")
    assert altered != stored.texts["board_state"]
    drop_snapshot_immutability(writer.store.engine)
    alter_snapshot(writer.store.engine, earlier.info.id, board_state=altered)
    starts = ReadStarts(monkeypatch).starts
    later = take_snapshot(writer.store, Q1, at("2018-07-31T00:00"), maker())
    monkeypatch.undo()
    assert 1 in starts
    made = snapshot_content(folded_to(writer.store, later.info.position, None), Q1,
                            at("2018-07-31T00:00"), later.info.head_hash)
    with writer.store.engine.connect() as connection:
        again = load_snapshot(connection, later.info.id)
    assert again is not None and again.texts["board_state"] == made.board_state
    assert again.texts["html"] == made.html
