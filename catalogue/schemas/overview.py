"""Payload schemas of the quarter's overview, its paragraphs and the figures they cite."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from catalogue.fields import PeriodField, QuarterField, identifier, text, title
from catalogue.overview import FigureRef, Paragraph
from catalogue.schemas.base import EventSchema


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
