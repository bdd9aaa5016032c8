"""Indicators and the overview: exact values, restatements, and figures the log can compute."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogue import (
    FigureRef,
    IndicatorDefined,
    IndicatorValueRecorded,
    Paragraph,
    Quarter,
    QuarterOverviewWritten,
    from_recorded,
)
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore, NewEvent
from tests.commands.helpers import PERFORMANCE, assert_refused, cmd, given, head, written


def define(indicator_id: str = "tno") -> dict[str, Any]:
    return cmd("DefineIndicator", PERFORMANCE, indicator_id=indicator_id,
               name="Total notifiable offences", measure="offences", better="lower",
               change_decimals=1)


def value(period: str, amount: str, released_on: str = "2018-04-30",
          indicator_id: str = "tno", source: str = "MPS crime statistics",
          **more: Any) -> dict[str, Any]:
    return cmd("RecordIndicatorValue", PERFORMANCE, indicator_id=indicator_id, period=period,
               value=amount, source=source, released_on=released_on, **more)


def test_an_indicator_is_defined_with_its_direction(
    plan: CommandService, store: EventStore
) -> None:
    """DefineIndicator records the measure, the better direction and the display precision."""
    (outcome,) = given(plan, define())
    assert written(store, outcome) == [IndicatorDefined(
        indicator_id="tno", name="Total notifiable offences", measure="offences",
        better="lower", change_decimals=1)]
    assert_refused(plan.submit(define()), "indicator_id", "already exists")


def test_values_are_recorded_for_years_quarters_and_months(
    plan: CommandService, store: EventStore
) -> None:
    """Each period form is accepted and stored in its canonical text."""
    given(plan, define())
    for period, canonical in (("2017/18", "2017-18"), ("2018-19 Q1", "2018-19-Q1"),
                              ("2018-06", "2018-06")):
        outcome = plan.submit(value(period, "827225", released_on="2018-07-01"))
        (event,) = written(store, outcome)
        assert isinstance(event, IndicatorValueRecorded)
        assert (event.period, event.value) == (canonical, Decimal("827225"))


def test_a_value_needs_a_defined_indicator_and_a_real_release(plan: CommandService) -> None:
    """Unknown indicators, future releases and releases before the period are refused."""
    assert_refused(plan.submit(value("2017-18", "827225")), "indicator_id", "no indicator")
    given(plan, define())
    assert_refused(plan.submit(value("2017-18", "827225", released_on="2018-08-01")),
                   "released_on", "in the future")
    assert_refused(plan.submit(value("2018-19", "1", released_on="2018-03-31")),
                   "released_on", "before 2018-19 began")


def test_a_later_value_restates_the_period_and_the_earlier_stays(
    plan: CommandService, store: EventStore
) -> None:
    """Both values stay in the log in order; the write model sees the restatement as current."""
    given(plan, define())
    (first,) = given(plan, value("2017-18", "827225"))
    (second,) = given(plan, value("2017-18", "827300", released_on="2018-07-01",
                                  source="MPS crime statistics, revised",
                                  reason="late returns"))
    values = [from_recorded(recorded).event for recorded in store.read_stream("indicator-tno")]
    assert [event.value for event in values if isinstance(event, IndicatorValueRecorded)] == [
        Decimal("827225"), Decimal("827300")]
    assert (first.first_position or 0) < (second.first_position or 0)
    current = plan.state.indicators["tno"].current("2017-18")
    assert current is not None and current.value == Decimal("827300")


def test_repeating_the_current_value_is_not_a_restatement(plan: CommandService) -> None:
    """The same value, source and release again is refused as nothing to restate."""
    given(plan, define(), value("2017-18", "827225"))
    assert_refused(plan.submit(value("2017-18", "827225")), "value", "nothing to restate")


def test_old_v1_indicator_rows_serve_as_definitions(
    plan: CommandService, store: EventStore
) -> None:
    """A v1 IndicatorDefined written by the old schema still lets values be recorded."""
    store.append("indicator-tno", [NewEvent(
        type="IndicatorDefined", schema_version=1,
        data={"indicator_id": "tno", "name": "Total notifiable offences", "unit": "offences",
              "better": "lower"})])
    assert plan.submit(value("2017-18", "827225")).status is Status.ACCEPTED


def overview(*figures: dict[str, Any]) -> dict[str, Any]:
    return cmd("WriteQuarterOverview", PERFORMANCE, quarter="2018-19-Q1",
               introduction=["Operational policing in London is the responsibility of the "
                             "Metropolitan Police Commissioner, Cressida Dick."],
               paragraphs=[{"text": "End of year crime statistics were released in April.",
                            "figures": list(figures)}])


def figure(**fields: str) -> dict[str, Any]:
    return {"indicator_id": "tno", "from_period": "2016-17", "to_period": "2017-18",
            "label": "Overall crime - total notifiable offences", **fields}


def test_an_overview_cites_figures_the_log_holds(plan: CommandService, store: EventStore) -> None:
    """Given both years' values, the overview records a FigureRef, not the numbers."""
    given(plan, define(), value("2016-17", "777458"), value("2017-18", "827225"))
    outcome = plan.submit(overview(figure()))
    assert written(store, outcome) == [QuarterOverviewWritten(
        quarter=Quarter(2018, 1),
        introduction=["Operational policing in London is the responsibility of the "
                      "Metropolitan Police Commissioner, Cressida Dick."],
        paragraphs=[Paragraph(
            text="End of year crime statistics were released in April.",
            figures=[FigureRef(indicator_id="tno", from_period="2016-17", to_period="2017-18",
                               label="Overall crime - total notifiable offences")])])]


def test_an_overview_may_not_cite_what_cannot_be_computed(
    plan: CommandService, store: EventStore
) -> None:
    """Unknown indicators, missing periods and backwards or mixed periods are refused."""
    given(plan, define(), value("2017-18", "827225"))
    before = head(store)
    at = "paragraphs.0.figures.0"
    assert_refused(plan.submit(overview(figure(indicator_id="knife-crime"))),
                   f"{at}.indicator_id", "no indicator")
    assert_refused(plan.submit(overview(figure())), f"{at}.from_period",
                   "no value of tno is recorded for 2016-17")
    assert_refused(plan.submit(overview(figure(from_period="2017-18", to_period="2016-17"))),
                   f"{at}.to_period", "must come after")
    assert_refused(plan.submit(overview(figure(to_period="2018-19-Q1"))),
                   f"{at}.to_period", "like with like")
    assert head(store) == before


def test_an_overview_places_only_the_figures_it_cites(plan: CommandService) -> None:
    """``{2}`` in a paragraph citing one figure is refused, naming the paragraph's text."""
    given(plan, define(), value("2016-17", "777458"), value("2017-18", "827225"))
    envelope = overview(figure())
    envelope["data"]["paragraphs"][0]["text"] = "Crime statistics showed {1}; and {2}."
    assert_refused(plan.submit(envelope), "paragraphs.0.text", "{2} places no figure")
    envelope["data"]["paragraphs"][0]["text"] = "Crime statistics showed {1}."
    assert plan.submit(envelope).status is Status.ACCEPTED


def test_an_overview_is_not_written_for_a_quarter_to_come(plan: CommandService) -> None:
    """Quarter 3 has not begun on 15 July 2018."""
    envelope = overview()
    envelope["data"]["quarter"] = "2018-19-Q3"
    assert_refused(plan.submit(envelope), "quarter", "has not begun")
