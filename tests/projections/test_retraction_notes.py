"""Retractions and reschedules leave their note (who, when, why) in the report, as
corrections do: a retracted update is omitted with a note in its place, a retracted
milestone report is noted on the milestone, a move says from and to."""

from __future__ import annotations

from catalogue import MilestoneRescheduled, MilestoneScheduled, Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import report_form
from projections.quarter.report import MilestoneItem, Report
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log

Q1, Q2 = Quarter(2018, 1), Quarter(2018, 2)
GIRLS_ALLOWED = "brought together over 400 people"


def _report(writer: LogWriter, quarter: Quarter = Q1, cutoff: Cutoff | None = None) -> Report:
    return query.report(writer.store, quarter, cutoff or Cutoff())


def _milestone(report: Report, milestone_id: str) -> MilestoneItem:
    return next(item for theme in report.themes for topic in theme.topics
                for item in topic.items
                if isinstance(item, MilestoneItem) and item.row.milestone_id == milestone_id)


def test_a_retracted_update_is_omitted_with_its_note(writer: LogWriter, q1: Q1Log) -> None:
    """Before the retraction the update reads as recorded; after it, its text and facts are
    gone and a note says what was retracted, by whom, when and why."""
    gone = writer.retract(q1["girls-allowed"], "recorded twice", when="2018-08-01T09:00",
                          actor="auditor.ann")
    note = ("Retracted on 1 August 2018 by auditor.ann: recorded twice "
            "(was update: Girls Allowed event, 16 June 2018).")
    before = render_markdown(_report(writer, cutoff=Cutoff(gone.position - 1)), audit=True)
    assert GIRLS_ALLOWED in before and "Retracted on" not in before
    markdown = render_markdown(_report(writer), audit=True)
    assert f"\n_{note}_\n" in markdown
    assert GIRLS_ALLOWED not in markdown and "people attending: 400" not in markdown
    page = render_html(_report(writer), audit=True)
    assert f'<p class="note">{note} <a class="src prov" href="#e{gone.position}"' in page
    assert GIRLS_ALLOWED not in page
    (item,) = [item for theme in report_form(_report(writer))["themes"]
               for topic in theme["topics"] for item in topic["items"]
               if item.get("update_id") == "girls-allowed"]
    assert item["retracted"]["reason"] == "recorded twice"


def test_a_retracted_milestone_report_is_noted_on_the_milestone(writer: LogWriter,
                                                                 q1: Q1Log) -> None:
    """Live chat's delivered report retracted: not yet reported, and the note says which
    report went, by whom and why."""
    writer.retract(q1["report-live-chat"], "not yet evaluated", when="2018-08-02T09:00",
                   actor="auditor.ann")
    item = _milestone(_report(writer), "live-chat")
    assert item.row.status == "not_reported"
    note = ("Retracted on 2 August 2018 by auditor.ann: not yet evaluated "
            "(was quarter: 2018-19-Q1; status: delivered).")
    assert f"\n_{note}_\n" in render_markdown(_report(writer), audit=True)
    assert f'<p class="note">{note} ' in render_html(_report(writer), audit=True)


def test_a_rescheduled_milestone_says_from_where_to_where_by_whom_and_why(
        writer: LogWriter, q1: Q1Log) -> None:
    """Moved from Q1 to Q2: both quarters' reports carry the move's note."""
    writer.one(MilestoneScheduled(milestone_id="custody", title="custody suites refitted",
                                  topic_id="estates", due_quarter=Q1, owner_unit="estates"),
               when="2018-07-11T09:00")
    writer.one(MilestoneRescheduled(milestone_id="custody", from_quarter=Q1, to_quarter=Q2,
                                    reason="contractor went into administration"),
               when="2018-07-12T09:00", actor="recorder.estates")
    note = ("Rescheduled from 2018-19-Q1 to 2018-19-Q2 on 12 July 2018 by recorder.estates: "
            "contractor went into administration.")
    for quarter in (Q1, Q2):
        report = _report(writer, quarter)
        assert f"\n_{note}_\n" in render_markdown(report, audit=True)
        assert f'<p class="note">{note} ' in render_html(report, audit=True)
    row = next(row for row in report_form(_report(writer, Q2))["board"]["milestones"]
               if row["milestone_id"] == "custody")
    assert [item["text"] for item in row["corrections"]] == [note]
