"""The milestone board: which milestones a quarter shows, with which status, from which event."""

from __future__ import annotations

from datetime import date

from catalogue import (
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    Quarter,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.board import Board, build_board
from projections.quarter.forms import board_csv, board_form
from tests.projections.builders import LogWriter, Written
from tests.projections.q1_log import Q1Log

Q1, Q2, Q3, Q4 = (Quarter(2018, number) for number in range(1, 5))


def _plan(writer: LogWriter) -> None:
    writer.record(ThemeDefined(number=2, title="Tackling serious violence"),
                  TopicDefined(topic_id="violent-crime", theme=2, title="Violent crime"),
                  UnitRegistered(unit_id="vctf", name="Violent Crime Taskforce",
                                 kind="taskforce"), when="2018-04-01T08:00")


def _schedule(writer: LogWriter, milestone_id: str, due: Quarter, when: str = "2018-04-01T09:00"
              ) -> Written:
    return writer.one(MilestoneScheduled(milestone_id=milestone_id, title=f"{milestone_id} done",
                                         topic_id="violent-crime", due_quarter=due,
                                         owner_unit="vctf"), when=when)


def _report(writer: LogWriter, milestone_id: str, quarter: Quarter, status: str, as_of: str,
            when: str) -> Written:
    return writer.one(MilestoneProgressReported(
        milestone_id=milestone_id, quarter=quarter, status=status, narrative=f"{status} text",
        as_of=date.fromisoformat(as_of)), when=when)


def _board(writer: LogWriter, quarter: Quarter, cutoff: Cutoff | None = None) -> Board:
    return build_board(fold(writer.store.read_all()), quarter, cutoff or Cutoff())


def _statuses(board: Board) -> dict[str, str]:
    return {row.milestone_id: row.status for row in board.rows}


def test_the_q1_board_has_six_delivered_milestones(writer: LogWriter, q1: Q1Log) -> None:
    """The Quarter 1 board lists the six milestones in theme, topic and recording order."""
    board = _board(writer, Q1)
    assert [row.milestone_id for row in board.rows] == [
        "vctf", "live-chat", "ivma", "esb", "charing-cross", "lps"]
    assert board.summary == "6 milestones: 6 delivered, 0 on track, 0 some delay"
    vctf = board.rows[0]
    assert (vctf.symbol, vctf.theme_title, vctf.topic_title, vctf.owner_name) == (
        "tick", "Tackling serious violence", "Violent crime", "Violent Crime Taskforce")
    assert (vctf.last_report_quarter, vctf.last_report_date) == (Q1, date(2018, 6, 30))
    assert vctf.source.position == q1["report-vctf"].position


def test_a_milestone_not_delivered_is_carried_until_it_is(writer: LogWriter) -> None:
    """Some delay in Q1 carries the milestone into Q2 and Q3; delivered in Q3, not into Q4."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    _report(writer, "m", Q1, "some_delay", "2018-06-30", "2018-07-02T09:00")
    _report(writer, "m", Q3, "delivered", "2018-12-31", "2019-01-03T09:00")
    rows = {quarter: _board(writer, quarter).rows for quarter in (Q1, Q2, Q3, Q4)}
    assert [row.status for row in rows[Q1]] == ["some_delay"]
    assert [(row.status, row.carried_over, row.last_report_quarter) for row in rows[Q2]] == [
        ("some_delay", True, Q1)]
    assert [(row.status, row.carried_over) for row in rows[Q3]] == [("delivered", True)]
    assert rows[Q4] == ()


def test_a_carried_milestone_without_a_report_this_quarter_says_so(writer: LogWriter) -> None:
    """A carried milestone keeps its last status and shows no narrative for the new quarter."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    _report(writer, "m", Q1, "on_track", "2018-06-30", "2018-07-02T09:00")
    (row,) = _board(writer, Q2).rows
    assert (row.status, row.narrative, row.last_report_quarter) == ("on_track", None, Q1)


def test_an_unreported_milestone_is_shown_as_not_yet_reported(writer: LogWriter) -> None:
    """A milestone with no report yet shows a dash and its schedule as source."""
    _plan(writer)
    scheduled = _schedule(writer, "m", Q1)
    board = _board(writer, Q1)
    (row,) = board.rows
    assert (row.status, row.symbol, row.label) == ("not_reported", "dash", "not yet reported")
    assert row.source.position == scheduled.position
    assert board.summary == ("1 milestone: 0 delivered, 0 on track, 0 some delay, "
                             "1 not yet reported")


def test_a_rescheduled_milestone_shows_as_such_and_moves(writer: LogWriter) -> None:
    """Moved from Q1 to Q3: Q1 shows it rescheduled, Q2 not at all, Q3 as due."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    move = writer.one(MilestoneRescheduled(milestone_id="m", from_quarter=Q1, to_quarter=Q3,
                                           reason="contractor delay"), when="2018-06-01T09:00")
    (q1_row,) = _board(writer, Q1).rows
    assert (q1_row.status, q1_row.label, q1_row.source.position) == (
        "rescheduled", "rescheduled to Q3 2018-19", move.position)
    assert _board(writer, Q2).rows == ()
    (q3_row,) = _board(writer, Q3).rows
    assert (q3_row.status, q3_row.due_quarter, q3_row.carried_over) == ("not_reported", Q3,
                                                                        False)
    assert "1 rescheduled" in _board(writer, Q1).summary


def test_a_withdrawn_milestone_shows_as_withdrawn_then_leaves(writer: LogWriter) -> None:
    """Withdrawn in Q2 while carried: Q1 keeps its status, Q2 shows withdrawn, Q3 drops it."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    _report(writer, "m", Q1, "some_delay", "2018-06-30", "2018-07-02T09:00")
    writer.one(MilestoneWithdrawn(milestone_id="m", reason="superseded"),
               when="2018-08-15T09:00")
    assert _statuses(_board(writer, Q1)) == {"m": "some_delay"}
    assert _statuses(_board(writer, Q2)) == {"m": "withdrawn"}
    assert _board(writer, Q3).rows == ()


def test_the_board_as_of_an_earlier_moment_shows_what_was_known(writer: LogWriter) -> None:
    """Before the delivery was recorded the board said on track; after, delivered."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    _report(writer, "m", Q1, "on_track", "2018-05-31", "2018-06-01T09:00")
    delivered = _report(writer, "m", Q1, "delivered", "2018-06-30", "2018-07-02T09:00")
    assert _statuses(_board(writer, Q1, Cutoff(delivered.position - 1))) == {"m": "on_track"}
    assert _statuses(_board(writer, Q1, Cutoff(delivered.position))) == {"m": "delivered"}


def test_the_board_effective_at_a_date_uses_reports_as_of_then(writer: LogWriter) -> None:
    """With an effective date of 15 June, only the May report counts, even though known now."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    _report(writer, "m", Q1, "on_track", "2018-05-31", "2018-06-01T09:00")
    _report(writer, "m", Q1, "delivered", "2018-06-30", "2018-07-02T09:00")
    assert _statuses(_board(writer, Q1, Cutoff(effective=date(2018, 6, 15)))) == {
        "m": "on_track"}
    assert _statuses(_board(writer, Q1, Cutoff(effective=date(2018, 5, 1)))) == {
        "m": "not_reported"}


def test_a_corrected_status_shows_the_correction_from_its_position(writer: LogWriter) -> None:
    """Corrected from delivered to some delay: the note says when, who and why."""
    _plan(writer)
    _schedule(writer, "m", Q1)
    reported = _report(writer, "m", Q1, "delivered", "2018-06-30", "2018-07-02T09:00")
    fix = writer.correct(reported, "delivery not signed off", status="some_delay",
                         when="2018-08-01T10:00", actor="auditor.ann")
    (before,) = _board(writer, Q1, Cutoff(fix.position - 1)).rows
    (after,) = _board(writer, Q1).rows
    assert (before.status, before.notes) == ("delivered", ())
    assert after.status == "some_delay"
    (note,) = after.notes
    assert (note.actor, note.reason, note.position) == ("auditor.ann", "delivery not signed off",
                                                        fix.position)
    assert after.source.position == reported.position


def test_the_json_form_names_each_status_source(writer: LogWriter, q1: Q1Log) -> None:
    """Every milestone in the JSON form carries the position and event id of its status."""
    form = board_form(_board(writer, Q1))
    first = form["milestones"][0]
    assert first["source"]["position"] == q1["report-vctf"].position
    assert first["source"]["event_id"] == str(q1["report-vctf"].event_id)
    assert form["summary"]["delivered"] == 6
    assert form["cutoff"]["position"] == writer.store.head().position


def test_the_csv_form_has_a_row_per_milestone(writer: LogWriter, q1: Q1Log) -> None:
    """The CSV has a header and one line per milestone with its source position."""
    lines = board_csv(_board(writer, Q1)).splitlines()
    assert lines[0].startswith("quarter,milestone_id,title")
    assert len(lines) == 7
    assert f",{q1['report-vctf'].position}," in lines[1]
