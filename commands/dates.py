"""Dates: what a unit says happened cannot have happened after the clock's today."""

from __future__ import annotations

from datetime import date

from catalogue.periods import Quarter
from commands.context import Context
from commands.errors import Refused


def not_in_future(day: date, context: Context, field: str) -> None:
    """An effective, as-of or release date may not lie after today (Europe/London)."""
    if day > context.today:
        raise Refused(field, f"{day} is in the future (today is {context.today})")


def quarter_begun(quarter: Quarter, context: Context, field: str) -> None:
    """Nobody reports on a quarter that has not started."""
    if quarter.first_day > context.today:
        raise Refused(field, f"{quarter} has not begun (today is {context.today})")
