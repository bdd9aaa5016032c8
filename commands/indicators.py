"""Indicators: a measured figure defined once, valued per period, restated by a later value.

Per command: its schema, the typed command, how it is decided; `SPECS` at the end
registers each with its permission and what a correction may change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marshmallow import fields, validate

from catalogue import DomainEvent, IndicatorDefined, IndicatorValueRecorded
from catalogue.fields import ExactDecimal, PeriodField, PreciseDateField, identifier, title
from catalogue.indicators import DIRECTIONS
from catalogue.periods import parse_period
from catalogue.precision import stored_form
from catalogue.streams import indicator_stream
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.dates import not_in_future
from commands.errors import Refused
from commands.permissions import PLANNING
from commands.spec import CommandSpec
from commands.write_model.state import State

GROUP = "Indicators"


# -- DefineIndicator --------------------------------------------------------------------


class DefineIndicatorSchema(CommandSchema):
    indicator_id = identifier(required=True, **about("a new id, e.g. total-notifiable-offences"))
    name = title(required=True, **about("e.g. Total notifiable offences"))
    measure = title(required=True, **about("what is counted, e.g. offences"))
    better = fields.String(required=True, validate=validate.OneOf(DIRECTIONS),
                           **about("which direction of change is better"))
    change_decimals = fields.Integer(strict=True, load_default=1,
                                     validate=validate.Range(min=0, max=4),
                                     **about("places a percentage change is shown to"))


@dataclass(frozen=True, slots=True, kw_only=True)
class DefineIndicator(Command):
    """Define an indicator: its name, what it measures, which direction is better."""

    indicator_id: str
    name: str
    measure: str
    better: str
    change_decimals: int = 1


def define_indicator(state: State, command: DefineIndicator,
                     context: Context) -> list[DomainEvent]:
    references.new_stream(state, indicator_stream(command.indicator_id), "indicator_id",
                          f"indicator {command.indicator_id!r}")
    return [recorded(IndicatorDefined, command)]


# -- RecordIndicatorValue ---------------------------------------------------------------


class RecordIndicatorValueSchema(CommandSchema):
    indicator_id = identifier(required=True, **about("a defined indicator"))
    period = PeriodField(required=True, **about("the period the value is for"))
    value = ExactDecimal(required=True, minimum=Decimal(0),
                         **about("exact: an integer or a decimal string, never a float"))
    source = title(required=True, **about("the publication the figure comes from"))
    released_on = PreciseDateField(required=True, **about(
        "when that publication released it: a day, or a month (2018-04) or quarter "
        "(2018-19-Q1) when the source gives no day"))
    reason = title(load_default=None, allow_none=True, **about(
        "why this release restates an earlier value for the period (required then)"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordIndicatorValue(Command):
    """Record an indicator's value for a period; a later one restates it."""

    indicator_id: str
    period: str
    value: Decimal
    source: str
    released_on: date
    reason: str | None = None


def record_value(state: State, command: RecordIndicatorValue,
                 context: Context) -> list[DomainEvent]:
    """A later value for the same period restates it and says why; repeating the same one
    is refused. A first value needs no reason (one given is kept)."""
    event = recorded(IndicatorValueRecorded, command)
    check_value(state, event, context)
    current = references.indicator(state, command.indicator_id).current(command.period)
    if current is None:
        return [event]
    if (current.value, current.source, stored_form(current.released_on)) == (
        command.value, command.source, stored_form(command.released_on)
    ):
        raise Refused("value", f"{command.period} already reads {command.value} from "
                      f"{command.source}, released {command.released_on}: nothing to restate")
    if command.reason is None:
        raise Refused("reason", (
            f"{command.period} already reads {current.value:,} from "
            f"{current.source}, released {current.released_on}: a restatement says why"))
    return [event]


def check_value(state: State, event: IndicatorValueRecorded, context: Context,
                prefix: str = "") -> None:
    """Released by now, for a period that had begun by the release."""
    references.indicator(state, event.indicator_id, f"{prefix}indicator_id")
    not_in_future(event.released_on, context, f"{prefix}released_on")
    period = parse_period(event.period)
    if period.first_day > event.released_on:
        raise Refused(f"{prefix}released_on",
                      f"{event.released_on} is before {event.period} began")


SPECS = (
    CommandSpec(DefineIndicator, DefineIndicatorSchema(), define_indicator, PLANNING, GROUP,
                records=IndicatorDefined,
                correctable=("name", "measure", "better", "change_decimals")),
    CommandSpec(RecordIndicatorValue, RecordIndicatorValueSchema(), record_value, PLANNING,
                GROUP, records=IndicatorValueRecorded,
                correctable=("value", "source", "released_on", "reason"), retractable=True,
                check=check_value),
)
