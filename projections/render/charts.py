"""Each panel of an indicator's chart, drawn by matplotlib as inline SVG.

Honest by construction: a panel holds one kind of period (`panels.py`), totals are bars
labelled by their period (``2016-17``) rising from a zero-based axis, and months, a line on
a zero-based axis. The ``<svg>`` is an image with its alt text as its accessible name and
``<title>``. No pyplot and no global backend: a `Figure` draws on its own SVG canvas. The
output is deterministic — fixed ids (``svg.hashsalt``), no date, no creator — so the same
report gives the same bytes.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib as mpl
from markupsafe import escape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from projections.quarter.figures import number
from projections.render.panels import BARS, Panel, period_label
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
COLOUR = {"year": "#1b5e20", "quarter": "#0d47a1", "month": "#8d6e63"}
LABELLED = 12
"""Panels with this many points or fewer have each value written by its bar or point."""
XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
IDS = re.compile(r"""(\bid="|\bhref="#|url\(#)""")
"""Where an SVG names or refers to an id."""


def draw(panel: Panel) -> Figure:
    """The panel as a matplotlib figure: bars (or a line, for months) from zero."""
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(6.4, 2.8), dpi=72)
        axes = figure.add_subplot()
        labels = [visible(period_label(point)) for point in panel.points]
        values = [float(point.value) for point in panel.points]
        places = range(len(values))
        colour = COLOUR[panel.kind]
        if panel.kind in BARS:
            bars = axes.bar(places, values, color=colour, width=0.6)
            if len(values) <= LABELLED:
                axes.bar_label(bars, [number(point.value) for point in panel.points],
                               padding=2, fontsize=8)
        else:
            axes.plot(places, values, marker="o", markersize=4, color=colour)
            if len(values) <= LABELLED:
                for place, value, point in zip(places, values, panel.points, strict=True):
                    axes.annotate(number(point.value), (place, value),
                                  textcoords="offset points", xytext=(0, 6), ha="center",
                                  fontsize=8)
        step = max(1, -(-len(labels) // LABELLED))
        axes.set_xticks(list(places)[::step], labels[::step])
        axes.set_xlim(-0.6, len(values) - 0.4)
        axes.set_ylim(bottom=0, top=max(max(values), 1.0) * 1.18)
        axes.set_ylabel(visible(panel.chart.measure))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        figure.subplots_adjust(left=0.14, right=0.97, top=0.95, bottom=0.12)
    return figure


def chart_svg(panel: Panel, prefix: str = "chart") -> str:
    """The panel as an ``<svg>`` image element named by its alt text, ready to inline.

    matplotlib numbers its ids the same way in every figure (``patch_3``): each id, and each
    reference to one, gets `prefix`, so several charts on one page never share an id.
    """
    figure = draw(panel)
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = IDS.sub(lambda found: f"{found.group(1)}{prefix}-", XML_PROLOGUE.sub(
        "", buffer.getvalue(), count=1))
    alt = escape(visible(panel.alt))
    return SVG_OPEN.sub(lambda found: (f'<svg role="img" aria-label="{alt}"{found.group(1)}>'
                                       f"<title>{alt}</title>"), svg, count=1)
