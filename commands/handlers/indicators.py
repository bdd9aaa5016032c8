"""Decide indicators: defined once, valued per period, restated by a later value."""

from __future__ import annotations

from catalogue import DomainEvent, IndicatorDefined, IndicatorValueRecorded
from catalogue.streams import indicator_stream
from commands.context import Context
from commands.definitions import DefineIndicator, RecordIndicatorValue
from commands.errors import Refused
from commands.rules import references
from commands.rules.indicators import check_value
from commands.state import State


def define_indicator(state: State, command: DefineIndicator,
                     context: Context) -> list[DomainEvent]:
    references.new_stream(state, indicator_stream(command.indicator_id), "indicator_id",
                          f"indicator {command.indicator_id!r}")
    return [IndicatorDefined(indicator_id=command.indicator_id, name=command.name,
                             measure=command.measure, better=command.better,
                             change_decimals=command.change_decimals)]


def record_value(state: State, command: RecordIndicatorValue,
                 context: Context) -> list[DomainEvent]:
    """A later value for the same period restates it; repeating the same one is refused."""
    event = IndicatorValueRecorded(indicator_id=command.indicator_id, period=command.period,
                                   value=command.value, source=command.source,
                                   released_on=command.released_on)
    check_value(state, event, context)
    current = references.indicator(state, command.indicator_id).current(command.period)
    if current is not None and (current.value, current.source, current.released_on) == (
        command.value, command.source, command.released_on
    ):
        raise Refused("value", f"{command.period} already reads {command.value} from "
                      f"{command.source}, released {command.released_on}: nothing to restate")
    return [event]
