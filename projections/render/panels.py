"""An indicator's chart split into panels a reader can trust, each with its words and data.

A year's total and a quarter's count are not the same size of thing: drawn on one axis, the
quarter looks like a collapse. So each kind of period (financial years, quarters, months)
gets a panel of its own, and each panel carries its alt text and the rows of the table
printed beside it, so the figures can be read without the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue import Month, Quarter, parse_period
from projections.quarter.figures import long_date, number
from projections.quarter.report import Chart, ChartPoint

KINDS = ("year", "quarter", "month")
"""The order panels are shown in: the longest periods first."""
KIND_WORDS = {"year": "financial year", "quarter": "quarter", "month": "month"}
BARS = frozenset({"year", "quarter"})
"""Kinds drawn as bars (a total per period); months, often many, as a line."""


@dataclass(frozen=True, slots=True)
class Panel:
    """One indicator's values for one kind of period."""

    chart: Chart
    kind: str
    points: tuple[ChartPoint, ...]

    @property
    def heading(self) -> str:
        """``Knife crime offences, by financial year``."""
        return f"{self.chart.name}, by {KIND_WORDS[self.kind]}"

    @property
    def shape(self) -> str:
        return "bar chart" if self.kind in BARS else "line chart"

    @property
    def column(self) -> str:
        """The period column's heading in the data table."""
        return KIND_WORDS[self.kind].capitalize()

    @property
    def as_at(self) -> str:
        """``July 2018``: the latest release of the figures drawn, as precisely as its
        source gave it (the published chart is "as at July 2018")."""
        return long_date(max(point.released_on for point in self.points))

    @property
    def alt(self) -> str:
        """What the picture shows, in words: ``Bar chart of Knife crime offences (offences)
        by financial year, from zero: 2016-17: 12,115; 2017-18: 14,680.``"""
        values = "; ".join(f"{period_label(point)}: {number(point.value)}"
                           for point in self.points)
        return (f"{self.shape.capitalize()} of {self.chart.name} ({self.chart.measure}) "
                f"by {KIND_WORDS[self.kind]}, from zero: {values}.")


def panels(chart: Chart) -> tuple[Panel, ...]:
    """The chart's panels, one per kind of period it has values for."""
    return tuple(Panel(chart, kind, points) for kind in KINDS
                 if (points := tuple(point for point in chart.points if point.kind == kind)))


def period_label(point: ChartPoint) -> str:
    """How a period is named on an axis and in a table: ``2017-18``, ``Q1 2018-19``,
    ``June 2018``."""
    period = parse_period(point.period)
    if isinstance(period, Quarter):
        return f"Q{period.number} {period.year}"
    if isinstance(period, Month):
        return f"{period.first_day:%B} {period.year}"
    return str(period)
