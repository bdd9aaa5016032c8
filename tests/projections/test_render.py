"""Renderers: the same events give the same bytes; the page stands alone with its charts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalogue import Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import report_form, to_json
from projections.quarter.report import Report
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter, open_writer
from tests.projections.q1_log import Q1Log, load_q1

Q1 = Quarter(2018, 1)


def _forms(report: Report) -> tuple[str, str, str]:
    return render_markdown(report), render_html(report), to_json(report_form(report))


def _corrected(writer: LogWriter, log: Q1Log) -> None:
    writer.correct(log["tno-2017-18"], "typo", value="830000", when="2018-08-02T10:00")
    writer.retract(log["girls-allowed"], "duplicate", when="2018-08-03T10:00")


def test_rendering_twice_gives_the_same_bytes(writer: LogWriter, q1: Q1Log) -> None:
    """Markdown, HTML (charts included) and JSON are byte-identical on a second run."""
    _corrected(writer, q1)
    first = _forms(query.report(writer.store, Q1, Cutoff()))
    again = _forms(query.report(writer.store, Q1, Cutoff()))
    assert first == again


def test_a_fresh_database_with_the_same_events_gives_the_same_bytes(
        writer: LogWriter, q1: Q1Log, tmp_path: Path) -> None:
    """Recorded again elsewhere (a SQLite file), the same log prints the same report."""
    _corrected(writer, q1)
    here = _forms(query.report(writer.store, Q1, Cutoff()))
    other = open_writer(f"sqlite:///{tmp_path / 'other.db'}")
    _corrected(other, load_q1(other))
    try:
        assert _forms(query.report(other.store, Q1, Cutoff())) == here
    finally:
        other.store.close()


@pytest.fixture
def page(writer: LogWriter, q1: Q1Log) -> str:
    _corrected(writer, q1)
    return render_html(query.report(writer.store, Q1, Cutoff()), audit=True)


def test_the_page_needs_no_network(page: str) -> None:
    """No scripts, stylesheets, images or frames from anywhere: everything is inline."""
    assert re.search(r"<(script|link|img|iframe)\b", page) is None
    assert re.search(r"""(src|href)=["']?(https?:)?//""", page) is None
    assert "@import" not in page
    assert re.search(r"url\((?!#)", page) is None  # only references inside the page


def test_the_page_has_a_chart_per_indicator_and_the_board(page: str) -> None:
    """Three inline SVG charts, the status summary and a row per milestone."""
    assert page.count("<svg ") - page.count('<svg class="status-symbol"') == 3
    assert "6 milestones: 6 delivered, 0 on track, 0 some delay" in page
    assert page.count('<td class="status-delivered">') == 6


def test_every_cited_source_is_listed_and_linked(page: str) -> None:
    """Each link to a source points at an entry of the sources list, and each entry is cited."""
    links = set(re.findall(r'href="#e(\d+)"', page))
    entries = set(re.findall(r'<li id="e(\d+)"', page))
    assert links and links == entries


def test_the_correction_note_sits_by_the_figure(page: str) -> None:
    """The corrected figure's paragraph is followed by who corrected it, when and why."""
    figure = page.index("increased by 6.8 per cent (777,458 to 830,000 offences)")
    note = page.index("Corrected on 2 August 2018 by performance.team: typo")
    assert 0 < note - figure < 2_000


def test_narrative_text_is_escaped(writer: LogWriter) -> None:
    """Markup typed into a narrative is shown as text, never run."""
    from datetime import date

    from catalogue import OperationalUpdateRecorded, ThemeDefined, TopicDefined

    writer.record(ThemeDefined(number=2, title="T"), TopicDefined(topic_id="t", theme=2,
                                                                  title="Topic"))
    writer.one(OperationalUpdateRecorded(
        update_id="x", topic_id="t", unit_id="u", title="<b>title</b>",
        effective_date=date(2018, 5, 1), narrative="<script>alert(1)</script> **bold**",
        kind="other"))
    page = render_html(query.report(writer.store, Q1, Cutoff()))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong>" in page
    assert "&lt;b&gt;title&lt;/b&gt;" in page


def test_statuses_are_drawn_as_svg_not_emoji(page: str) -> None:
    """Each status shows as an inline SVG labelled with its words: no emoji needs a font."""
    assert not any(glyph in page for glyph in ("✓", "📅", "🔧"))
    drawn = re.findall(r'<svg class="status-symbol"[^>]*aria-label="([^"]+)"', page)
    assert drawn.count("delivered") >= 12  # the board's rows and the milestones' headings
    assert {"on track", "some delay"} <= set(drawn)  # the legend
