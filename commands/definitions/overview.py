"""The quarter's overview narrative, citing indicators rather than typing figures in."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from catalogue.fields import QuarterField, text
from catalogue.overview import Paragraph, ParagraphSchema
from catalogue.periods import Quarter
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Overview"


class WriteQuarterOverviewSchema(CommandSchema):
    quarter = QuarterField(required=True, **about("the quarter, e.g. 2018-19-Q1"))
    introduction = fields.List(text(), load_default=list, validate=validate.Length(max=50),
                               **about("the introduction's paragraphs (Markdown)"))
    paragraphs = fields.List(
        fields.Nested(ParagraphSchema), required=True, validate=validate.Length(min=1, max=50),
        **about("{text, figures: [{indicator_id, from_period, to_period, label?}]}"),
    )


@command("WriteQuarterOverview", WriteQuarterOverviewSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class WriteQuarterOverview(Command):
    """Write the quarter's overview; figures cite indicators, a later one replaces it."""

    quarter: Quarter
    paragraphs: tuple[Paragraph, ...]
    introduction: tuple[str, ...] = ()
