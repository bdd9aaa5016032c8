"""Reports in the scale in force: labels, symbols, colours and categories follow the plan's
adopted scale for each quarter at the cut-off, in the board, its JSON and CSV, Markdown and
HTML, whether the answer is folded from the log or read from the runner's tables."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from catalogue import (
    MilestoneProgressReported,
    MilestoneScheduled,
    Quarter,
    StatusDef,
    StatusScaleAdopted,
    StatusScaleDefined,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.board import Board
from projections.quarter.forms import board_csv, board_form, report_form
from projections.readmodels.boards import stored_board
from projections.readmodels.runner import Runner
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter, Written
from tests.status_scales import DORSET, SCALES

Q1, Q2 = Quarter(2018, 1), Quarter(2018, 2)


def _defined(scale: dict[str, Any]) -> StatusScaleDefined:
    return StatusScaleDefined(scale_id=scale["scale_id"], name=scale["name"],
                              statuses=[StatusDef(**status) for status in scale["statuses"]])


def _plan(writer: LogWriter) -> None:
    writer.record(ThemeDefined(number=2, title="Tackling serious violence"),
                  TopicDefined(topic_id="violent-crime", theme=2, title="Violent crime"),
                  UnitRegistered(unit_id="vctf", name="Violent Crime Taskforce",
                                 kind="taskforce"), when="2018-04-01T08:00")


def _schedule(writer: LogWriter, milestone_id: str, due: Quarter) -> Written:
    return writer.one(MilestoneScheduled(milestone_id=milestone_id, title=f"{milestone_id} done",
                                         topic_id="violent-crime", due_quarter=due,
                                         owner_unit="vctf"), when="2018-04-01T09:00")


def _report(writer: LogWriter, milestone_id: str, quarter: Quarter, status: str, as_of: str,
            when: str) -> Written:
    return writer.one(MilestoneProgressReported(
        milestone_id=milestone_id, quarter=quarter, status=status, narrative=f"{status} text",
        as_of=date.fromisoformat(as_of)), when=when)


@pytest.fixture
def dorset_from_q2(writer: LogWriter) -> int:
    """Two Q1 milestones on the Met's scale, then Dorset's adopted from Q2: one of them
    carried into Q2 and reported Yellow, and a Q2 milestone reported Blue. Returns the
    position just before the adoption."""
    _plan(writer)
    _schedule(writer, "custody", Q1)
    _schedule(writer, "hubs", Q1)
    _schedule(writer, "bwv", Q2)
    _report(writer, "custody", Q1, "some_delay", "2018-06-30", "2018-07-02T09:00")
    _report(writer, "hubs", Q1, "delivered", "2018-06-30", "2018-07-02T09:30")
    before = writer.one(_defined(DORSET), when="2018-07-03T09:00").position
    writer.one(StatusScaleAdopted(scale_id="dorset", from_quarter=Q2), when="2018-07-03T09:05")
    _report(writer, "custody", Q2, "yellow", "2018-09-30", "2018-10-02T09:00")
    _report(writer, "bwv", Q2, "blue", "2018-09-30", "2018-10-02T09:30")
    return before


def _boards(writer: LogWriter, quarter: Quarter) -> tuple[Board, Board]:
    """The board folded from the log, then read from the tables of a caught-up runner."""
    folded = query.board(writer.store, quarter, Cutoff())
    live = Runner(writer.store).catch_up()
    with writer.store.engine.connect() as connection:
        stored = stored_board(connection, live, quarter, Cutoff(live.position))
    assert stored is not None
    assert query.board(writer.store, quarter, Cutoff()) == stored
    return folded, stored


def test_each_quarter_shows_the_scale_in_force_for_it(writer: LogWriter,
                                                      dorset_from_q2: int) -> None:
    """Q1 keeps the Met's statuses; Q2 counts in Dorset's, the carried-over row included,
    and the tables of the runner say the same as the fold."""
    q1_folded, q1_stored = _boards(writer, Q1)
    assert q1_folded.summary == "2 milestones: 1 delivered, 0 on track, 1 some delay"
    folded, stored = _boards(writer, Q2)
    assert folded.summary == ("1 milestone planned plus 1 carried over from Quarter 1: "
                              "1 Blue, 0 Green, 1 Yellow, 0 Red")
    assert [(row.milestone_id, row.label, row.symbol, row.colour, row.category)
            for row in folded.rows] == [
        ("custody", "Yellow", "triangle", "#e6ab02", "at_risk"),
        ("bwv", "Blue", "star", "#1f78b4", "done")]
    assert board_form(stored) == board_form(folded)
    assert board_form(q1_stored) == board_form(q1_folded)


def test_a_report_cut_before_the_adoption_keeps_the_default_scale(
        writer: LogWriter, dorset_from_q2: int) -> None:
    """At a position before Dorset's scale was adopted, Q2 is on the Met's scale."""
    board = query.board(writer.store, Q2, Cutoff(dorset_from_q2))
    assert board.scale.scale_id == "default"
    assert board.summary.endswith(": 0 delivered, 0 on track, 1 some delay, 1 not yet reported")
    report = query.report(writer.store, Q2, Cutoff(dorset_from_q2))
    assert [status.label for status in report.legend] == ["delivered", "on track", "some delay"]


def test_json_and_csv_carry_the_scale_and_categories(writer: LogWriter,
                                                     dorset_from_q2: int) -> None:
    """JSON names the scale, each row's colour and category, and counts by category; CSV
    has the label, the symbol's name and the category."""
    form = board_form(query.board(writer.store, Q2, Cutoff()))
    assert form["scale"]["id"] == "dorset"
    assert [status["label"] for status in form["scale"]["statuses"]] == [
        "Blue", "Green", "Yellow", "Red"]
    summary = form["summary"]
    assert (summary["blue"], summary["yellow"], summary["categories"]["done"],
            summary["categories"]["at_risk"]) == (1, 1, 1, 1)
    assert [(row["status"], row["label"], row["colour"]) for row in form["milestones"]] == [
        ("yellow", "Yellow", "#e6ab02"), ("blue", "Blue", "#1f78b4")]
    rows = list(csv.DictReader(io.StringIO(board_csv(query.board(writer.store, Q2, Cutoff())))))
    assert [(row["status"], row["symbol"], row["category"]) for row in rows] == [
        ("Yellow", "triangle", "at_risk"), ("Blue", "star", "done")]


def test_markdown_says_the_label_and_html_draws_the_scales_symbols(
        writer: LogWriter, dorset_from_q2: int) -> None:
    """Markdown has words only; HTML draws each status as an SVG in its colour."""
    report = query.report(writer.store, Q2, Cutoff())
    markdown = render_markdown(report)
    assert "**Quarter 1, 2018-19: custody done** (Yellow)" in markdown
    assert "- Blue\n- Green\n- Yellow\n- Red\n" in markdown
    page = render_html(report)
    assert 'aria-label="Yellow"' in page and 'fill="#e6ab02"' in page
    assert 'aria-label="Blue"' in page and 'fill="#1f78b4"' in page
    assert report_form(report)["legend"][0] == {
        "status": "blue", "label": "Blue", "symbol": "star", "colour": "#1f78b4",
        "category": "done"}


@pytest.mark.parametrize("scale", SCALES, ids=[scale["scale_id"] for scale in SCALES])
def test_every_forces_scale_reports_in_its_own_words(writer: LogWriter,
                                                     scale: dict[str, Any]) -> None:
    """One milestone per status of the scale: the board counts each by its label, and a
    milestone in a done status is not carried into the next quarter."""
    _plan(writer)
    writer.one(_defined(scale), when="2018-04-01T09:00")
    writer.one(StatusScaleAdopted(scale_id=scale["scale_id"], from_quarter=Q1),
               when="2018-04-01T09:00")
    for status in scale["statuses"]:
        _schedule(writer, status["status"].replace("_", "-"), Q1)
        _report(writer, status["status"].replace("_", "-"), Q1, status["status"],
                "2018-06-30", "2018-07-02T09:00")
    board = query.board(writer.store, Q1, Cutoff())
    labels = ", ".join(f"1 {status['label']}" for status in scale["statuses"])
    assert board.summary == f"{len(scale['statuses'])} milestones: {labels}"
    done = {status["status"].replace("_", "-") for status in scale["statuses"]
            if status["category"] == "done"}
    carried = {row.milestone_id for row in query.board(writer.store, Q2, Cutoff()).rows}
    assert carried == {status["status"].replace("_", "-")
                       for status in scale["statuses"]} - done
