"""The quarter's overview narrative, citing indicators rather than typing figures in.

It may only cite figures the log can compute: defined indicators, recorded periods. A
paragraph may place its figures inside its text with ``{1}``, ``{2}`` … (the figure's
number in the paragraph); figures not placed follow the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import fields, validate

from catalogue import DomainEvent, QuarterOverviewWritten
from catalogue.fields import QuarterField, text
from catalogue.overview import Paragraph
from catalogue.periods import Quarter, parse_period, period_sort_key
from catalogue.schemas.overview import ParagraphSchema
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.dates import quarter_begun
from commands.errors import Refused
from commands.permissions import PLANNING
from commands.spec import CommandSpec
from commands.write_model.state import State

GROUP = "Overview"
PLACEHOLDER = re.compile(r"\{(\d+)\}")


class WriteQuarterOverviewSchema(CommandSchema):
    quarter = QuarterField(required=True, **about("the quarter, e.g. 2018-19-Q1"))
    introduction = fields.List(text(), load_default=list, validate=validate.Length(max=50),
                               **about("the introduction's paragraphs (Markdown)"))
    paragraphs = fields.List(
        fields.Nested(ParagraphSchema), required=True, validate=validate.Length(min=1, max=50),
        **about("{text, figures: [{indicator_id, from_period, to_period, label?}]}"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteQuarterOverview(Command):
    """Write the quarter's overview; figures cite indicators, a later one replaces it."""

    quarter: Quarter
    paragraphs: tuple[Paragraph, ...]
    introduction: tuple[str, ...] = ()


def write_overview(state: State, command: WriteQuarterOverview,
                   context: Context) -> list[DomainEvent]:
    event = recorded(QuarterOverviewWritten, command)
    check_overview(state, event, context)
    return [event]


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


SPECS = (
    CommandSpec(WriteQuarterOverview, WriteQuarterOverviewSchema(), write_overview, PLANNING,
                GROUP, records=QuarterOverviewWritten,
                correctable=("introduction", "paragraphs"), retractable=True,
                check=check_overview),
)
