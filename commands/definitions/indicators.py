"""Commands about indicators: define a measured figure, record its value for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marshmallow import fields, validate

from catalogue.fields import ExactDecimal, PeriodField, identifier, title
from catalogue.indicators import DIRECTIONS
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Indicators"


class DefineIndicatorSchema(CommandSchema):
    indicator_id = identifier(required=True, **about("a new id, e.g. total-notifiable-offences"))
    name = title(required=True, **about("e.g. Total notifiable offences"))
    measure = title(required=True, **about("what is counted, e.g. offences"))
    better = fields.String(required=True, validate=validate.OneOf(DIRECTIONS),
                           **about("which direction of change is better"))
    change_decimals = fields.Integer(strict=True, load_default=1,
                                     validate=validate.Range(min=0, max=4),
                                     **about("places a percentage change is shown to"))


@command("DefineIndicator", DefineIndicatorSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class DefineIndicator(Command):
    """Define an indicator: its name, what it measures, which direction is better."""

    indicator_id: str
    name: str
    measure: str
    better: str
    change_decimals: int = 1


class RecordIndicatorValueSchema(CommandSchema):
    indicator_id = identifier(required=True, **about("a defined indicator"))
    period = PeriodField(required=True, **about("the period the value is for"))
    value = ExactDecimal(required=True, minimum=Decimal(0),
                         **about("exact: an integer or a decimal string, never a float"))
    source = title(required=True, **about("where the figure comes from"))
    released_on = fields.Date(required=True, **about("when the source released it"))


@command("RecordIndicatorValue", RecordIndicatorValueSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RecordIndicatorValue(Command):
    """Record an indicator's value for a period; a later one restates it."""

    indicator_id: str
    period: str
    value: Decimal
    source: str
    released_on: date
