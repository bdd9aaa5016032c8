"""Indicator values: released by now, for a period that had begun by the release."""

from __future__ import annotations

from catalogue import IndicatorValueRecorded
from catalogue.periods import parse_period
from commands.context import Context
from commands.errors import Refused
from commands.rules import references
from commands.rules.dates import not_in_future
from commands.state import State


def check_value(state: State, event: IndicatorValueRecorded, context: Context,
                prefix: str = "") -> None:
    references.indicator(state, event.indicator_id, f"{prefix}indicator_id")
    not_in_future(event.released_on, context, f"{prefix}released_on")
    period = parse_period(event.period)
    if period.first_day > event.released_on:
        raise Refused(f"{prefix}released_on",
                      f"{event.released_on} is before {event.period} began")
