"""Exports readers open elsewhere: the CSV board.

Text never becomes a formula (OWASP's CSV injection advice) and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io

import pytest

from catalogue import Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import board_csv
from projections.quarter.report import Report
from projections.render.cells import neutralise
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log, milestone

Q1 = Quarter(2018, 1)
HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = {
    "hostile-link": HYPERLINK,
    "hostile-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "hostile-plus": "+44 20 7230 1212",
    "hostile-minus": "-2+3",
    "hostile-tab": "\t=1+1",
    "hostile-return": "\r=1+1",
    "number-like": "1e5",
}
"""Milestone titles a spreadsheet would run or turn into numbers."""


@pytest.fixture
def hostile(writer: LogWriter, q1: Q1Log) -> Report:
    """The Quarter 1 log with milestones whose titles are formulas and numbers."""
    writer.record(*[milestone(key, "violent-crime", "vctf", title)
                    for key, title in HOSTILE.items()], when="2018-07-11T09:00")
    return query.report(writer.store, Q1, Cutoff())


@pytest.mark.parametrize(("text", "written"), [
    (HYPERLINK, "'" + HYPERLINK), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("1- Introduction", "1- Introduction"),
    ("a=b", "a=b"), ("", ""), ("'quoted", "'quoted"),
])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str, written: str) -> None:
    """Only a leading =, +, -, @, tab or carriage return is neutralised."""
    assert neutralise(text) == written


def test_the_csv_board_neutralises_formulas(hostile: Report) -> None:
    """Every hostile title is written with a leading quote; positions stay plain numbers."""
    rows = list(csv.DictReader(io.StringIO(board_csv(hostile.board))))
    titles = {row["milestone_id"]: row["title"] for row in rows}
    for key, title in HOSTILE.items():
        assert titles[key] == neutralise(title)
    assert titles["hostile-link"] == "'" + HYPERLINK
    assert titles["number-like"] == "1e5"
    assert all(row["source_position"].isdigit() for row in rows)
