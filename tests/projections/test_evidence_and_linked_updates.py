"""A delivered status stays honest about its evidence, and linked updates are reported
under their milestone in its quarter even when they took effect earlier."""

from __future__ import annotations

from datetime import date

from catalogue import (
    MilestoneProgressReported,
    MilestoneScheduled,
    OperationalUpdateRecorded,
    Quarter,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
)
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import board_form, report_form
from projections.quarter.report import MilestoneItem, Report
from projections.readmodels.runner import Runner
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter, Written
from tests.projections.q1_log import Q1Log

Q4_2017, Q1, Q2, Q3 = Quarter(2017, 4), Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3)
FLAG = ("reported delivered in 2018-19-Q2, but its evidence now falls later: South West BCU "
        "went live, effective 2018-11-05 (corrected), in 2018-19-Q3")


def _go_live(writer: LogWriter) -> Written:
    """The South West BCU's go-live, first reported for September 2018 and delivered in Q2."""
    writer.record(ThemeDefined(number=3, title="Transforming local policing"),
                  TopicDefined(topic_id="bcus", theme=3, title="Basic command units"),
                  UnitRegistered(unit_id="south-west", name="South West BCU", kind="bcu"),
                  when="2018-04-01T08:00")
    writer.one(MilestoneScheduled(milestone_id="sw-live", title="South West BCU live",
                                  topic_id="bcus", due_quarter=Q2, owner_unit="south-west"),
               when="2018-04-01T09:00")
    live = writer.one(UnitWentLive(
        update_id="sw-went-live", topic_id="bcus", unit_id="south-west",
        title="South West BCU went live", effective_date=date(2018, 9, 3),
        milestone_id="sw-live", live_unit="south-west",
        boroughs=["Kingston", "Merton", "Richmond", "Wandsworth"]), when="2018-09-04T09:00")
    writer.one(MilestoneProgressReported(milestone_id="sw-live", quarter=Q2, status="delivered",
                                         narrative="The BCU went live.",
                                         as_of=date(2018, 9, 30)), when="2018-10-02T09:00")
    return live


def test_a_delivered_status_whose_evidence_moved_later_is_flagged(writer: LogWriter) -> None:
    """Go-live corrected from September into November: Q2's delivered row is flagged on the
    board, its JSON and the report; before the correction it was not."""
    live = _go_live(writer)
    before = writer.store.head().position
    writer.correct(live, "went live on 5 November, not in September", when="2018-12-01T09:00",
                   effective_date="2018-11-05")
    assert query.board(writer.store, Q2, Cutoff(before)).rows[0].evidence is None
    board = query.board(writer.store, Q2, Cutoff())
    (row,) = board.rows
    assert (row.status, row.evidence) == ("delivered", FLAG)
    form = board_form(board)
    assert (form["milestones"][0]["evidence"], form["summary"]["flagged"]) == (FLAG, 1)
    report = query.report(writer.store, Q2, Cutoff())
    assert f"Flagged: {FLAG}." in render_markdown(report)
    assert f"(flagged: {FLAG})" in render_html(report)
    live_board = Runner(writer.store).catch_up()
    assert live_board.position == writer.store.head().position
    assert board_form(query.board(writer.store, Q2, Cutoff())) == form


def test_evidence_within_the_quarter_is_not_flagged(writer: LogWriter) -> None:
    """A correction that keeps the go-live in Q2 leaves the delivered status alone."""
    live = _go_live(writer)
    writer.correct(live, "went live on the 10th", when="2018-10-05T09:00",
                   effective_date="2018-09-10")
    assert query.board(writer.store, Q2, Cutoff()).rows[0].evidence is None


def _titles_under(report: Report, milestone_id: str) -> list[str]:
    return [update.title for theme in report.themes for topic in theme.topics
            for item in topic.items if isinstance(item, MilestoneItem)
            and item.row.milestone_id == milestone_id for update in item.updates]


def _all_titles(report: Report) -> list[str]:
    form = report_form(report)
    found = []
    for theme in form["themes"]:
        for topic in theme["topics"]:
            for item in topic["items"]:
                found.append(item.get("title"))
                found += [update["title"] for update in item.get("updates", [])]
    return found


def test_an_update_effective_before_its_milestone_is_reported_under_it(
        writer: LogWriter, q1: Q1Log) -> None:
    """MOPAC decided the ESB purchase on 22 March 2018: the 2018-19 Q1 report lists the
    decision under the ESB milestone, and 2017-18 Q4's does not list it at all; the same
    from the runner's tables as from the log."""
    writer.one(OperationalUpdateRecorded(
        update_id="esb-decision", topic_id="estates", unit_id="estates",
        title="MOPAC decided to buy the Empress State Building",
        effective_date=date(2018, 3, 22), milestone_id="esb", kind="other",
        narrative="MOPAC decided the purchase on 22 March 2018."), when="2018-07-05T09:00")
    for _ in range(2):
        q1_report = query.report(writer.store, Q1, Cutoff())
        assert _titles_under(q1_report, "esb") == [
            "Empress State Building acquired", "MOPAC decided to buy the Empress State Building"]
        assert "MOPAC decided to buy the Empress State Building" not in _all_titles(
            query.report(writer.store, Q4_2017, Cutoff()))
        Runner(writer.store).catch_up()
