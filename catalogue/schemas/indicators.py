"""Payload schemas of indicators and their values."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from catalogue.fields import ExactDecimal, PeriodField, PreciseDateField, identifier, title
from catalogue.indicators import DIRECTIONS
from catalogue.schemas.base import EventSchema


class IndicatorDefinedSchema(EventSchema):
    indicator_id = identifier(required=True)
    name = title(required=True)
    measure = title(required=True)
    better = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    change_decimals = fields.Integer(strict=True, load_default=1,
                                     validate=validate.Range(min=0, max=4))


class IndicatorValueRecordedSchema(EventSchema):
    indicator_id = identifier(required=True)
    period = PeriodField(required=True)
    value = ExactDecimal(required=True, minimum=Decimal(0))
    source = title(required=True)
    released_on = PreciseDateField(required=True)
    reason = title(load_default=None, allow_none=True)
