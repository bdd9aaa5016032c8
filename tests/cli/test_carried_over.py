"""Carried-over milestones are counted apart from the quarter's own, as published updates do
("52 milestones planned plus 3 carried over from Quarter 1"): in the status table, its JSON
and CSV, and the report's summary line in Markdown and HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner

from catalogue import MilestoneProgressReported, MilestoneScheduled, Quarter
from opslog.cli import main
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1

Q1, Q2 = Quarter(2018, 1), Quarter(2018, 2)
SUMMARY = ("2 milestones planned plus 1 carried over from Quarter 1: 0 delivered, 0 on track, "
           "1 some delay, 2 not yet reported")


@pytest.fixture
def url(database_url: str) -> str:
    """The Q1 log, one more Q1 milestone reported with some delay (so carried into Q2), and
    two milestones due in Q2."""
    writer = open_writer(database_url)
    load_q1(writer)
    for milestone_id, due in (("custody", Q1), ("bwv", Q2), ("hubs", Q2)):
        writer.one(MilestoneScheduled(milestone_id=milestone_id, title=f"{milestone_id} done",
                                      topic_id="violent-crime", due_quarter=due,
                                      owner_unit="vctf"), when="2018-07-03T09:00")
    writer.one(MilestoneProgressReported(milestone_id="custody", quarter=Q1,
                                         status="some_delay", narrative="contractor late",
                                         as_of=date(2018, 6, 30)), when="2018-07-04T09:00")
    writer.store.close()
    result = CliRunner().invoke(main, ["--db", database_url, "init"])
    assert result.exit_code == 0, result.output
    return database_url


def _run(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", url, *args, "--quarter", "2018-19-Q2"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_status_table_json_and_csv_count_the_carried_over_apart(url: str) -> None:
    """Two planned for Q2 plus one carried over from Q1, in every form of the board."""
    assert _run(url, "status").rstrip().endswith(SUMMARY)
    summary = json.loads(_run(url, "status", "--format", "json"))["summary"]
    assert (summary["text"], summary["total"], summary["planned"], summary["carried_over"],
            summary["carried_from"]) == (SUMMARY, 3, 2, 1, {"2018-19-Q1": 1})
    rows = list(csv.DictReader(io.StringIO(_run(url, "status", "--format", "csv"))))
    assert [(row["milestone_id"], row["carried_over"], row["carried_from"]) for row in rows] == [
        ("custody", "yes", "Quarter 1"), ("bwv", "no", ""), ("hubs", "no", "")]


def test_the_reports_summary_line_counts_the_carried_over_apart(url: str) -> None:
    """The Markdown report states the summary under the legend; the HTML page beside the
    counts, with a box for the carried over."""
    markdown = _run(url, "report", "--format", "md")
    assert f"\n{SUMMARY}.\n" in markdown
    page = _run(url, "report", "--format", "html")
    assert f"<p>{SUMMARY}</p>" in page
    assert "<div><strong>1</strong>carried over</div>" in page
