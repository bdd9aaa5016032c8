"""The public report reads like the published update; ``audit`` adds the provenance.

A log with a correction of a figure, a correction of a milestone's status and a
retraction: the public Markdown and HTML hold no event id, no log position, no actor id and
no status as stored (``on_track``); the audit ones hold each of them.
"""

from __future__ import annotations

import re

import pytest

from catalogue import Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log

Q1 = Quarter(2018, 1)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ACTORS = ("auditor.ann", "recorder.estates")
RENDERERS = {"markdown": render_markdown, "html": render_html}


@pytest.fixture
def amended(writer: LogWriter, q1: Q1Log) -> Q1Log:
    writer.correct(q1["report-live-chat"], "works not yet signed off", status="on_track",
                   when="2018-07-19T10:00", actor="recorder.estates")
    writer.correct(q1["tno-2017-18"], "transcription error", value="830000",
                   when="2018-08-02T10:00", actor="auditor.ann")
    writer.retract(q1["girls-allowed"], "duplicate", when="2018-08-03T10:00")
    return q1


def _leaks(text: str) -> dict[str, object]:
    return {
        "event ids": UUID.findall(text),
        "positions": re.findall(r"(?i)\bposition\b|href=\"#e\d", text),
        "actor ids": [actor for actor in ACTORS if actor in text],
        "raw statuses": re.findall(r"\b(?:on\\?_track|some\\?_delay)\b", text),
    }


@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_the_public_report_holds_no_provenance(writer: LogWriter, amended: Q1Log,
                                               form: str) -> None:
    """Plain words instead: the status's label, the figure with its thousands, no actor."""
    text = RENDERERS[form](query.report(writer.store, Q1, Cutoff()))
    assert _leaks(text) == {"event ids": [], "positions": [], "actor ids": [],
                            "raw statuses": []}
    assert ("Corrected on 19 July 2018: works not yet signed off "
            "(status: delivered → on track).") in text
    assert ("Corrected on 2 August 2018: transcription error "
            "(value: 827,225 → 830,000).") in text


@pytest.mark.parametrize("form", sorted(RENDERERS))
def test_the_audit_report_holds_the_provenance(writer: LogWriter, amended: Q1Log,
                                               form: str) -> None:
    """Event ids (HTML), the position read up to, each actor and the stored values."""
    report = query.report(writer.store, Q1, Cutoff())
    leaks = _leaks(RENDERERS[form](report, audit=True))
    assert leaks["positions"] and sorted(leaks["actor ids"]) == sorted(ACTORS)  # type: ignore[arg-type]
    assert [found.replace("\\", "") for found in leaks["raw statuses"]] == [  # type: ignore[attr-defined]
        "on_track"]
    assert bool(leaks["event ids"]) is (form == "html")
    assert f"As recorded up to position {report.position}" in RENDERERS[form](report, audit=True)


def test_the_audit_page_toggles_its_provenance_without_script(writer: LogWriter,
                                                              amended: Q1Log) -> None:
    """A checkbox and CSS alone hide the provenance again: no script, inline or not."""
    page = render_html(query.report(writer.store, Q1, Cutoff()), audit=True)
    assert '<input type="checkbox" id="show-provenance"' in page
    assert "#show-provenance:not(:checked) ~ * .prov" in page
    assert re.search(r"<script|\bon[a-z]+=", page) is None
    assert 'class="src prov"' in page and '<section id="sources" class="prov">' in page


def test_the_cut_off_is_said_in_public_in_dates(writer: LogWriter, amended: Q1Log) -> None:
    """Asked as of a time and effective at a date, the public report says both as dates,
    without the position; asked for neither, it says nothing."""
    from datetime import UTC, date, datetime

    cutoff = query.resolve_cutoff(writer.store, as_of=datetime(2018, 7, 20, tzinfo=UTC),
                                  effective=date(2018, 6, 30))
    markdown = render_markdown(query.report(writer.store, Q1, cutoff))
    assert "_As recorded by 20 July 2018; facts effective up to 30 June 2018._" in markdown
    assert "(status: delivered → on track)" in markdown
    assert "830,000" not in markdown
    assert "As recorded" not in render_markdown(query.report(writer.store, Q1, Cutoff()))
