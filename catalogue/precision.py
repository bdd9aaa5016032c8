"""Dates known to the precision the source gave: a day, a month or a quarter.

"In April" is not "1 April". A `PreciseDate` is a `date` — the first day of what the
source named — that remembers how precisely it is known, so it sorts, compares and cuts off
as that first day everywhere a date is used, and prints as the source put it: ``1 April
2018``, ``April 2018``, ``Q1 2018-19``. It is stored as ``2018-04-01``, ``2018-04`` or
``2018-19-Q1``; every date stored before precisions existed reads as a day.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from catalogue.periods import Month, PeriodError, Quarter

PRECISIONS = ("day", "month", "quarter")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FORMS = "a date (2018-04-01), a month (2018-04) or a quarter (2018-19-Q1)"


class PreciseDate(date):
    """A date and how precisely it is known; equal to, and ordered as, its first day."""

    __slots__ = ("precision",)
    precision: str

    def __new__(cls, year: int, month: int = 1, day: int = 1,
                precision: str = "day") -> PreciseDate:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        made = super().__new__(cls, year, month, day)
        object.__setattr__(made, "precision", precision)
        if precision == "month" and day != 1:
            raise ValueError("a month is stored as its first day")
        if precision == "quarter" and Quarter.containing(made).first_day != made:
            raise ValueError("a quarter is stored as its first day")
        return made

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a PreciseDate is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PreciseDate, (self.year, self.month, self.day, self.precision))

    def __repr__(self) -> str:
        return f"PreciseDate({self.year}, {self.month}, {self.day}, {self.precision!r})"

    # str() stays the date's ISO form, as databases and other code expect of a date; the
    # stored form is `stored_form`.


def precision_of(day: date) -> str:
    """``day`` for a plain date."""
    return day.precision if isinstance(day, PreciseDate) else "day"


def stored_form(day: date) -> str:
    """How a date is written in an event: as precisely as it is known."""
    precision = precision_of(day)
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    if precision == "quarter":
        return str(Quarter.containing(day))
    return date.isoformat(day)


def parse_precise(text: str) -> PreciseDate:
    """Read ``2018-04-01``, ``2018-04`` or ``2018-19-Q1`` (raises PeriodError)."""
    text = text.strip()
    if DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError as error:
            raise PeriodError(f"{text!r} is not a real date: {error}") from None
        return PreciseDate(day.year, day.month, day.day)
    for parse, precision in ((Month.parse, "month"), (Quarter.parse, "quarter")):
        try:
            first = parse(text).first_day
        except PeriodError:
            continue
        return PreciseDate(first.year, first.month, first.day, precision)
    raise PeriodError(f"{text!r} is not a real date: give {FORMS}")


def as_precise(day: date) -> PreciseDate:
    """Any date as a PreciseDate (a plain date is known to the day)."""
    if isinstance(day, PreciseDate):
        return day
    return PreciseDate(day.year, day.month, day.day)
