"""Honest charts: one kind of period per axis, totals as bars from zero, labelled by
financial year, each with its alt text and its figures as a table beside it."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from catalogue import IndicatorDefined, Quarter
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.report import Report
from projections.render.charts import draw
from projections.render.html import render_html
from projections.render.panels import panels
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log, value

Q1 = Quarter(2018, 1)
MONTHS = ("2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12", "2018-01",
          "2018-02", "2018-03", "2018-04", "2018-05", "2018-06")


@pytest.fixture
def mixed(writer: LogWriter, q1: Q1Log) -> Report:
    """The Q1 log, with a quarter's count beside the annual totals of knife crime, and a
    monthly series of under-25 knife injury victims (figures made up for the test)."""
    writer.record(value("knife", "2018-19-Q1", "3802", released="2018-07-19"),
                  when="2018-07-20T10:00")
    writer.record(IndicatorDefined(indicator_id="u25", name="Under 25 knife injury victims",
                                   measure="victims", better="lower"), when="2018-07-20T10:00")
    writer.record(*(value("u25", month, str(150 + index), released="2018-07-19")
                    for index, month in enumerate(MONTHS)), when="2018-07-20T11:00")
    return query.report(writer.store, Q1, Cutoff())


def _svgs(page: str) -> list[str]:
    return [svg for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)
            if 'class="status-symbol"' not in svg[:60]]


def _ticks(svg: str) -> list[str]:
    """The tick labels of the x axis, as drawn (matplotlib writes text as <text>)."""
    axis = re.search(r'<g id="[a-z0-9-]*matplotlib\.axis_1">.*?'
                     r'(?=<g id="[a-z0-9-]*matplotlib\.axis_2">)', svg, re.DOTALL)
    assert axis is not None
    return [text.strip() for text in re.findall(r"<text\b[^>]*>([^<]*)</text>", axis.group())]


def test_annual_and_quarterly_values_are_never_on_one_axis(mixed: Report) -> None:
    """Knife crime gets a bar panel of financial years and another of its quarter; each
    SVG's axis holds one kind of period, named as the report names it."""
    page = render_html(mixed)
    ticks = [_ticks(svg) for svg in _svgs(page)]
    assert ["2016-17", "2017-18"] in ticks and ["Q1 2018-19"] in ticks
    assert not any({"2017-18", "Q1 2018-19"} <= set(tick) for tick in ticks)
    knife = next(chart for chart in mixed.charts if chart.indicator_id == "knife")
    assert [(panel.kind, panel.shape) for panel in panels(knife)] == [
        ("year", "bar chart"), ("quarter", "bar chart")]


def test_every_panel_rises_from_zero(mixed: Report) -> None:
    """The value axis starts at 0 and the bars' heights are the recorded figures."""
    for chart in mixed.charts:
        for panel in panels(chart):
            axes = draw(panel).axes[0]
            assert axes.get_ylim()[0] == 0
            if panel.shape == "bar chart":
                heights = [patch.get_height() for patch in axes.patches]
                assert heights == [float(point.value) for point in panel.points]


def test_each_chart_has_alt_text_and_its_table(mixed: Report) -> None:
    """The SVG is an image named by its figures; the table beside it lists each one."""
    page = render_html(mixed)
    svgs = _svgs(page)
    assert len(svgs) == sum(len(panels(chart)) for chart in mixed.charts) == 5
    for svg in svgs:
        label = re.search(r'^<svg role="img" aria-label="([^"]+)"', svg)
        assert label is not None and "from zero" in label.group(1)
        assert f"<title>{label.group(1)}</title>" in svg
    assert ('aria-label="Bar chart of Knife crime offences (offences) by financial year, '
            'from zero: 2016-17: 12,115; 2017-18: 14,680."') in page
    tables = re.findall(r'<table class="chart-data">.*?</table>', page, re.DOTALL)
    assert len(tables) == len(svgs)
    rows = [re.findall(r'<th scope="row">([^<]+)</th><td class="num">([0-9,]+)', table)
            for table in tables]
    assert [("2016-17", "12,115"), ("2017-18", "14,680")] in rows
    assert [("Q1 2018-19", "3,802")] in rows
    months = next(table for table in rows if len(table) == len(MONTHS))
    assert months[0] == ("July 2017", "150") and months[-1] == ("June 2018", "161")


def test_no_two_charts_share_an_id(mixed: Report) -> None:
    """Each SVG's ids (and the references to them) carry its own prefix: valid HTML, and a
    marker or clip path never resolves to another chart's."""
    page = render_html(mixed)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for number, svg in enumerate(_svgs(page), 1):
        references = re.findall(r'(?:href="#|url\(#)([^")]+)', svg)
        assert references and all(ref.startswith(f"chart-{number}-") for ref in references)


def test_the_monthly_series_is_a_line_with_every_month_in_its_table(mixed: Report) -> None:
    """Under-25 knife injury victims by month: a line chart from zero, twelve rows."""
    chart = next(chart for chart in mixed.charts if chart.indicator_id == "u25")
    (panel,) = panels(chart)
    assert panel.shape == "line chart" and panel.heading == (
        "Under 25 knife injury victims, by month")
    (line,) = draw(panel).axes[0].get_lines()
    assert [Decimal(str(y)) for y in line.get_ydata()] == [point.value for point in panel.points]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_prints_each_chart_with_its_table(mixed: Report, tmp_path: Path) -> None:
    """The PDF is the page printed: its text holds each panel's heading and figures."""
    from projections.render.pdf import render_pdf

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(mixed))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Knife crime offences, by financial year" in text
    assert "Knife crime offences, by quarter" in text
    assert re.search(r"2017-18\s+14,680", text) and re.search(r"Q1 2018-19\s+3,802", text)


U25_MONTHS = ("2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12", "2018-01",
              "2018-02", "2018-03", "2018-04", "2018-05", "2018-06")


@pytest.fixture
def original(writer: LogWriter, q1: Q1Log) -> Report:
    """The recipe the README gives for the published update's chart ("Under 25 knife injury
    victims as at July 2018"): a monthly indicator, its values released in July 2018 (a
    month, as the source gives it). Figures made up for the test."""
    from catalogue import IndicatorValueRecorded
    from catalogue.precision import parse_precise

    writer.record(IndicatorDefined(indicator_id="knife-injury-u25",
                                   name="Under 25 knife injury victims", measure="victims",
                                   better="lower"), when="2018-07-20T10:00")
    writer.record(*(IndicatorValueRecorded(
        indicator_id="knife-injury-u25", period=month, value=Decimal(170 - index),
        source="MPS crime data dashboard", released_on=parse_precise("2018-07"))
        for index, month in enumerate(U25_MONTHS)), when="2018-07-20T11:00")
    return query.report(writer.store, Q1, Cutoff())


def test_the_originals_chart_is_drawn_from_indicator_data(original: Report,
                                                          tmp_path: Path) -> None:
    """A line from zero by month, captioned as at the month of its latest release, with
    its twelve figures in the table beside it and in the workbook's indicators."""
    from projections.quarter.forms import indicator_rows

    chart = next(chart for chart in original.charts if chart.indicator_id == "knife-injury-u25")
    (panel,) = panels(chart)
    assert (panel.shape, panel.as_at) == ("line chart", "July 2018")
    assert draw(panel).axes[0].get_ylim()[0] == 0
    page = render_html(original)
    assert ("<figcaption><strong>Under 25 knife injury victims, by month</strong> "
            "(victims; as at July 2018)</figcaption>") in page
    table = next(table for table in re.findall(r'<table class="chart-data">.*?</table>', page,
                                               re.DOTALL) if "July 2017" in table)
    assert len(re.findall(r'<th scope="row">', table)) == 12
    rows = [row for row in indicator_rows(original.charts) if row[0] == "knife-injury-u25"]
    assert [(row[3], row[5]) for row in rows][:2] == [("2017-07", "2018-07"),
                                                       ("2017-08", "2018-07")]
