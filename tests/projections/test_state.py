"""The fold: records, versions, corrections and retractions, and the state as JSON."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue import MilestoneProgressReported, Quarter
from projections.errors import InvalidEvent, ProjectionFailed
from projections.fold.codec import state_from_json, state_to_json
from projections.fold.cutoff import Cutoff
from projections.fold.decoding import decode_event
from projections.fold.state import PlanState, evolve, fold
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log

Q1 = Quarter(2018, 1)


def test_every_fact_becomes_a_record_in_position_order(writer: LogWriter, q1: Q1Log) -> None:
    """Folding the log keeps one record per fact, in the order the log holds them."""
    state = fold(writer.store.read_all())
    positions = [record.position for record in state.records.values()]
    assert positions == sorted(positions)
    assert state.position == writer.store.head().position
    assert state.records[str(q1["vctf"].event_id)].type == "MilestoneScheduled"


def test_a_correction_opens_a_new_version_from_its_own_position(writer: LogWriter,
                                                                 q1: Q1Log) -> None:
    """The original stays known until the correction's position; the new version after."""
    fix = writer.correct(q1["tno-2017-18"], "transcription error", value="827226",
                         when="2018-08-02T10:00", actor="auditor.ann")
    record = fold(writer.store.read_all()).records[str(q1["tno-2017-18"].event_id)]
    first, second = record.versions
    assert (first.known_from, first.known_to) == (q1["tno-2017-18"].position, fix.position)
    assert (second.known_from, second.known_to) == (fix.position, None)
    assert record.version_at(fix.position - 1) is first
    assert record.version_at(fix.position) is second
    note = second.notes[0]
    assert (note.actor, note.reason, note.changes, note.previous) == (
        "auditor.ann", "transcription error", {"value": "827226"}, {"value": "827225"})


def test_a_retraction_ends_the_record_from_its_position(writer: LogWriter, q1: Q1Log) -> None:
    """A retracted fact is known up to the retraction and not at all after it."""
    gone = writer.retract(q1["girls-allowed"], "recorded twice", when="2018-08-01T09:00")
    record = fold(writer.store.read_all()).records[str(q1["girls-allowed"].event_id)]
    assert record.version_at(gone.position - 1) is not None
    assert record.version_at(gone.position) is None
    assert record.version_at(None) is None
    assert record.retraction is not None and record.retraction.reason == "recorded twice"


def test_a_refused_event_leaves_the_state_as_it_was(writer: LogWriter, q1: Q1Log) -> None:
    """Correcting a field the event does not have is refused, and nothing changes."""
    writer.correct(q1["report-vctf"], "wrong field", colour="green")
    events = list(writer.store.read_all())
    state = fold(events[:-1])
    before = state_to_json(state)
    with pytest.raises(InvalidEvent, match="no field"):
        evolve(state, decode_event(events[-1]))
    assert state_to_json(state) == before


def test_fold_names_the_event_it_cannot_apply(writer: LogWriter, q1: Q1Log) -> None:
    """A correction whose result does not load stops the fold just before it, naming it."""
    writer.correct(q1["report-vctf"], "bad status", status="Finished!")
    head = writer.store.head().position
    with pytest.raises(ProjectionFailed) as failed:
        fold(writer.store.read_all())
    assert (failed.value.position, failed.value.last_good) == (head, head - 1)
    assert failed.value.type == "EventCorrected"
    assert "once corrected, the MilestoneProgressReported payload does not load: {'status'" in (
        failed.value.reason)


def test_an_unknown_event_type_is_a_named_gap_in_the_fold(writer: LogWriter,
                                                          q1: Q1Log) -> None:
    """An event of a type this code does not know is gone past, never silently: the state
    keeps where it was and why, and goes on to the events after it."""
    from eventstore import NewEvent

    alien = writer.store.append("alien-1", [NewEvent(type="AlienLanded", data={"x": 1})])
    writer.correct(q1["report-vctf"], "premature", status="on_track")
    state = fold(writer.store.read_all())
    assert [(gap.position, gap.type) for gap in state.gaps] == [
        (alien.last_position, "AlienLanded")]
    assert "unknown event type 'AlienLanded'" in state.gaps[0].reason
    assert state.position == writer.store.head().position


def test_a_retracted_record_cannot_be_corrected(writer: LogWriter, q1: Q1Log) -> None:
    """Once retracted, a fact takes no further corrections."""
    writer.retract(q1["report-vctf"], "wrong milestone")
    writer.correct(q1["report-vctf"], "too late", status="on_track")
    with pytest.raises(ProjectionFailed, match="was retracted"):
        fold(writer.store.read_all())


def test_the_state_round_trips_through_json(writer: LogWriter, q1: Q1Log) -> None:
    """A state written as JSON and read back is the same state, and writes the same text."""
    writer.correct(q1["tno-2017-18"], "typo", value="827226")
    writer.retract(q1["girls-allowed"], "duplicate")
    state = fold(writer.store.read_all())
    text = state_to_json(state)
    again = state_from_json(text)
    assert state_to_json(again) == text
    assert again.records.keys() == state.records.keys()


def test_folding_on_from_a_snapshot_gives_the_state_of_a_full_fold(writer: LogWriter,
                                                                   q1: Q1Log) -> None:
    """A snapshot holds all that is needed to continue the fold."""
    writer.correct(q1["report-vctf"], "premature", status="on_track", when="2018-08-01T09:00")
    events = list(writer.store.read_all())
    middle = len(events) // 2
    resumed = fold(events[middle:], state_from_json(state_to_json(fold(events[:middle]))))
    assert state_to_json(resumed) == state_to_json(fold(events))


def test_one_state_answers_for_any_earlier_position(writer: LogWriter, q1: Q1Log) -> None:
    """The state at the head, asked at position P, shows what folding up to P shows."""
    from projections.quarter.board import build_board

    writer.correct(q1["report-vctf"], "premature", status="on_track", when="2018-08-01T09:00")
    writer.retract(q1["report-live-chat"], "not yet evaluated", when="2018-08-02T09:00")
    events = list(writer.store.read_all())
    whole = fold(events)
    for position in range(0, len(events) + 1, 3):
        partial = fold(events[:position])
        assert build_board(whole, Q1, Cutoff(position)).rows == build_board(
            partial, Q1, Cutoff()).rows


def test_progress_reports_take_effect_on_their_as_of_date(writer: LogWriter) -> None:
    """A report's effective date is its as-of date, whenever it was recorded."""
    from projections.fold.records import effective_date

    event = MilestoneProgressReported(milestone_id="m", quarter=Q1, status="on_track",
                                      narrative="", as_of=date(2018, 5, 31))
    written = writer.one(event, when="2018-07-01T09:00")
    state = fold(writer.store.read_all())
    record = state.records[str(written.event_id)]
    assert effective_date(record.current.event, record.occurred_at) == date(2018, 5, 31)


def test_a_new_state_is_empty() -> None:
    """An empty state is at position 0 and holds nothing."""
    assert (PlanState().position, PlanState().records) == (0, {})


def test_events_must_come_in_position_order(writer: LogWriter, q1: Q1Log) -> None:
    """Folding an event at or before the state's position is refused."""
    events = list(writer.store.read_all())
    state = fold(events)
    with pytest.raises(InvalidEvent, match="not after"):
        evolve(state, decode_event(events[3]))
