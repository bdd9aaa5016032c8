"""Restated figures in the report: the 25 April 2019 release restated total notifiable
offences for 2017-18 from 827,225 to 829,418. The note says from what to what, in which
release, why, by whom and when it was recorded; restating through a correction keeps the
first release true before the second; from a fold of the log and from the read models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from catalogue import IndicatorValueRecorded, Quarter, UnitRegistered
from projections import query
from projections.audit.diff import diff_quarter
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.forms import report_form
from projections.quarter.overview import Figure
from projections.quarter.report import Report, build_report
from projections.readmodels.runner import Runner
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log

Q1 = Quarter(2018, 1)
RELEASE_2019 = "MPS recorded crime: end of year statistics 2018-19"
WHY = "late crime recording audit returns added to 2017-18"
Ask = Callable[[Cutoff], Report]


def _figure(report: Report) -> Figure:
    return report.overview[0].figures[0]


def _asker(kind: str, writer: LogWriter) -> Ask:
    """The Q1 report from a fold of the log, or from the read models the runner keeps."""
    if kind == "fold":
        state = fold(writer.store.read_all())
        return lambda cutoff: build_report(state, Q1, cutoff)
    Runner(writer.store).catch_up()
    return lambda cutoff: query.report(writer.store, Q1, cutoff)


@pytest.fixture(params=["fold", "read models"])
def source(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_restatement_note_says_what_release_why_who_and_when(
        writer: LogWriter, q1: Q1Log, source: str) -> None:
    """Recorded by the performance unit's analyst on 26 April 2019 with its reason: the
    figure reads 829,418 and its note says 827,225 → 829,418 in the 25 April 2019 release,
    naming the unit (and for auditors the actor)."""
    writer.one(UnitRegistered(unit_id="performance", name="Strategy and Performance Unit",
                              kind="team"), when="2019-04-01T09:00")
    writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829418"), source=RELEASE_2019,
        released_on=date(2019, 4, 25), reason=WHY),
        when="2019-04-26T09:00", actor="performance.analyst", unit="performance")
    report = _asker(source, writer)(Cutoff())
    figure = _figure(report)
    assert (figure.before, figure.after) == (Decimal("777458"), Decimal("829418"))
    assert figure.notes == ()
    public = ("Total notifiable offences: 2017-18 restated from 827,225 to 829,418 in the "
              f"release of 25 April 2019, {RELEASE_2019} ({WHY}; by Strategy and Performance "
              "Unit; recorded on 26 April 2019).")
    assert f"\n_{public}_\n" in render_markdown(report)
    assert "performance.analyst" not in render_markdown(report)
    audit = public.replace("Performance Unit;", "Performance Unit (performance.analyst);")
    assert f"\n_{audit}_\n" in render_markdown(report, audit=True)
    assert f'<p class="note">{audit} ' in render_html(report, audit=True)
    (restated,) = report_form(report)["overview"]["paragraphs"][0]["figures"][0][
        "restated"]
    assert (restated["value"], restated["to_value"], restated["reason"], restated["by"]) == (
        "827225", "829418", WHY, "Strategy and Performance Unit")


def test_before_the_restatement_was_recorded_or_released_the_first_value_stands(
        writer: LogWriter, q1: Q1Log, source: str) -> None:
    """As known before 26 April 2019, or effective before 25 April 2019, the figure is
    827,225 with no restatement note; on both axes after, 829,418."""
    restated = writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829418"), source=RELEASE_2019,
        released_on=date(2019, 4, 25), reason=WHY), when="2019-04-26T09:00")
    ask = _asker(source, writer)
    for cutoff in (Cutoff(restated.position - 1), Cutoff(effective=date(2018, 6, 30)),
                   Cutoff(effective=date(2019, 4, 24))):
        figure = _figure(ask(cutoff))
        assert (figure.after, figure.restated) == (Decimal("827225"), ()), cutoff
    figure = _figure(ask(Cutoff(effective=date(2019, 4, 25))))
    assert figure.after == Decimal("829418")
    assert [(item.value, item.to_value) for item in figure.restated] == [
        (Decimal("827225"), Decimal("829418"))]


def test_restating_through_a_correction_keeps_the_first_release_before_the_second(
        writer: LogWriter, q1: Q1Log, source: str) -> None:
    """CorrectEvent moving 2017-18 to 829,418 released 25 April 2019: effective 30 June
    2018 the figure still reads 827,225 (not "no value recorded"); from 25 April 2019 on,
    829,418 with the correction's note; as known before the correction, 827,225."""
    fix = writer.correct(q1["tno-2017-18"], WHY, value="829418", released_on="2019-04-25",
                         source=RELEASE_2019, when="2019-04-26T09:00")
    ask = _asker(source, writer)
    early = _figure(ask(Cutoff(effective=date(2018, 6, 30))))
    assert (early.after, early.notes) == (Decimal("827225"), ())
    assert early.phrase == "increased by 6.4 per cent (777,458 to 827,225 offences)"
    late = _figure(ask(Cutoff(effective=date(2019, 4, 25))))
    assert late.after == Decimal("829418")
    (note,) = late.notes
    assert note.reason == WHY
    assert _figure(ask(Cutoff(fix.position - 1))).after == Decimal("827225")


def test_diff_names_the_restatement_alone_with_old_new_and_why(writer: LogWriter,
                                                               q1: Q1Log) -> None:
    """Between two cut-offs the indicator's stream gets a value for another period and the
    restatement: the figure's change names the restatement alone, 827,225 → 829,418 in
    its words, with its reason."""
    start = writer.store.head().position
    writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2018-19", value=Decimal("818000"), source=RELEASE_2019,
        released_on=date(2019, 4, 25)), when="2019-04-26T08:00")
    restated = writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829418"), source=RELEASE_2019,
        released_on=date(2019, 4, 25), reason=WHY), when="2019-04-26T09:00")
    found = diff_quarter(writer.store, Q1, Cutoff(start), Cutoff())
    figures = [traced for traced in found.changes if traced.change.kind == "figure"]
    assert figures
    for traced in figures:
        (cause,) = traced.causes
        assert (cause.position, cause.reason) == (restated.position, WHY)
        assert cause.before is not None and "827,225" in cause.before
        assert cause.after is not None and "829,418" in cause.after
