"""Each indicator's values over periods, drawn by matplotlib as inline SVG.

No pyplot and no global backend: a `Figure` draws on its own SVG canvas. The output is
deterministic — fixed ids (``svg.hashsalt``), no date, no creator — so the same report
gives the same bytes.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from projections.quarter.figures import number
from projections.quarter.report import Chart
from projections.render.visible import visible

STYLE: Any = {
    "svg.hashsalt": "opslog",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.parse_math": False,
}
"""``text.parse_math`` off: an indicator named ``$\\foo$`` is drawn as typed, not as maths."""
SERIES = (("year", "financial years", "#1b5e20"), ("quarter", "quarters", "#0d47a1"),
          ("month", "months", "#8d6e63"))
LABELLED = 12
"""Series with this many points or fewer have each value written by its point."""
XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def chart_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element, ready to inline in HTML."""
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(6.4, 2.8), dpi=72)
        axes = figure.add_subplot()
        for kind, label, colour in SERIES:
            points = [point for point in chart.points if point.kind == kind]
            if not points:
                continue
            xs = [point.starts.toordinal() for point in points]
            ys = [float(point.value) for point in points]
            axes.plot(xs, ys, marker="o", markersize=4 if len(points) > LABELLED else 6,
                      color=colour, label=label)
            if len(points) <= LABELLED:
                for x, y, point in zip(xs, ys, points, strict=True):
                    axes.annotate(number(point.value), (x, y), textcoords="offset points",
                                  xytext=(0, 6), ha="center", fontsize=8)
        axes.set_title(visible(chart.name), loc="left", fontsize=10)
        axes.set_ylabel(visible(chart.measure))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        years = range(min(point.starts for point in chart.points).year,
                      max(point.starts for point in chart.points).year + 1)
        ticks = [date(year, 4, 1) for year in years]
        axes.set_xticks([tick.toordinal() for tick in ticks],
                        [f"Apr {tick.year}" for tick in ticks])
        axes.margins(x=0.15, y=0.25)
        if len({point.kind for point in chart.points}) > 1:
            axes.legend(frameon=False, fontsize=8)
        figure.subplots_adjust(left=0.14, right=0.97, top=0.88, bottom=0.12)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return XML_PROLOGUE.sub("", buffer.getvalue(), count=1)
