"""The quarter's overview: narrative paragraphs, each followed by the key figures it cites.

Figures are references (indicator, from period, to period), never typed-in numbers: the
report computes "an increase of 6.4 per cent (777,458 to 827,225)" from recorded values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from catalogue.base import DomainEvent, EventSchema, event_type
from catalogue.fields import PeriodField, QuarterField, identifier, text, title
from catalogue.periods import Quarter
from catalogue.streams import overview_stream


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureRef:
    """Cite an indicator's change between two periods, with an optional lead-in label."""

    indicator_id: str
    from_period: str
    to_period: str
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    text: str
    figures: list[FigureRef] = field(default_factory=list)


class FigureRefSchema(Schema):
    indicator_id = identifier(required=True)
    from_period = PeriodField(required=True)
    to_period = PeriodField(required=True)
    label = title(load_default=None, allow_none=True)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> FigureRef:
        return FigureRef(**data)


class ParagraphSchema(Schema):
    text = text(required=True)
    figures = fields.List(fields.Nested(FigureRefSchema), load_default=list,
                          validate=validate.Length(max=20))

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Paragraph:
        return Paragraph(**data)


class QuarterOverviewWrittenSchema(EventSchema):
    quarter = QuarterField(required=True)
    introduction = fields.List(text(), load_default=list, validate=validate.Length(max=50))
    paragraphs = fields.List(fields.Nested(ParagraphSchema), required=True,
                             validate=validate.Length(min=1, max=50))


@event_type("QuarterOverviewWritten", QuarterOverviewWrittenSchema)
@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterOverviewWritten(DomainEvent):
    """The quarter's overview; a later one for the same quarter replaces it."""

    quarter: Quarter
    paragraphs: list[Paragraph]
    introduction: list[str] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return overview_stream(self.quarter)

    def summary(self) -> str:
        return f"overview of {self.quarter} ({len(self.paragraphs)} paragraphs)"
