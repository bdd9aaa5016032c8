"""An overview cites figures the log can compute: defined indicators, recorded periods.

A paragraph may place its figures inside its text with ``{1}``, ``{2}`` … (the figure's
number in the paragraph); figures not placed follow the text.
"""

from __future__ import annotations

import re

from catalogue import QuarterOverviewWritten
from catalogue.periods import parse_period, period_sort_key
from commands.context import Context
from commands.errors import Refused
from commands.rules import references
from commands.rules.dates import quarter_begun
from commands.state import State

PLACEHOLDER = re.compile(r"\{(\d+)\}")


def check_overview(state: State, event: QuarterOverviewWritten, context: Context,
                   prefix: str = "") -> None:
    quarter_begun(event.quarter, context, f"{prefix}quarter")
    for number, paragraph in enumerate(event.paragraphs):
        for placed in PLACEHOLDER.findall(paragraph.text):
            if not 1 <= int(placed) <= len(paragraph.figures):
                raise Refused(f"{prefix}paragraphs.{number}.text",
                              f"{{{placed}}} places no figure: the paragraph cites "
                              f"{len(paragraph.figures)}")
        for index, figure in enumerate(paragraph.figures):
            at = f"{prefix}paragraphs.{number}.figures.{index}"
            indicator = references.indicator(state, figure.indicator_id, f"{at}.indicator_id")
            start, end = parse_period(figure.from_period), parse_period(figure.to_period)
            if type(start) is not type(end):
                raise Refused(f"{at}.to_period", "compare like with like: "
                              f"{figure.from_period} and {figure.to_period}")
            if period_sort_key(start) >= period_sort_key(end):
                raise Refused(f"{at}.to_period",
                              f"{figure.to_period} must come after {figure.from_period}")
            for name, period in (("from_period", figure.from_period),
                                 ("to_period", figure.to_period)):
                if indicator.current(period) is None:
                    raise Refused(f"{at}.{name}",
                                  f"no value of {indicator.indicator_id} is recorded for {period}")
