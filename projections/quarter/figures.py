"""Figures as the report prints them: exact numbers, pounds, dates, and computed changes.

A change is never typed in: "increased by 6.4 per cent (777,458 to 827,225 offences)" is
computed here from the two recorded values, rounded half-up to the indicator's
`change_decimals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from catalogue import IndicatorDefined, Quarter
from catalogue.precision import precision_of

HUNDRED = Decimal(100)
MILLION = Decimal(1_000_000)


def number(value: Decimal | int) -> str:
    """777458 → ``777,458``; decimals keep their recorded places: 12.50 → ``12.50``."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,f}"


def money(value: Decimal) -> str:
    """Pounds as the report writes them: ``£250 million``, ``£4.5 million``, ``£12,000``."""
    if value >= MILLION and value % (MILLION / 10) == 0:
        millions = (value / MILLION).normalize()
        return f"£{millions:f} million"
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def percent(value: Decimal) -> str:
    return f"{value:f} per cent"


def long_date(day: date) -> str:
    """``1 May 2018``; a date known only to its month or quarter as the source gave it:
    ``May 2018``, ``Q1 2018-19``."""
    precision = precision_of(day)
    if precision == "month":
        return f"{day:%B} {day.year}"
    if precision == "quarter":
        return quarter_words(Quarter.containing(day))
    return f"{day.day} {day:%B} {day.year}"


def quarter_words(quarter: Quarter) -> str:
    """``Q1 2018-19``: a quarter as a reader names it, not as the log stores it."""
    return f"Q{quarter.number} {quarter.year}"


@dataclass(frozen=True, slots=True)
class Change:
    """The change between two values of one indicator."""

    percent: Decimal | None
    """Rounded to the indicator's places; None when the first value is zero."""
    direction: str
    """``increase``, ``decrease`` or ``unchanged``."""
    improved: bool | None
    """Whether it moved the better way (None when unchanged)."""

    @property
    def verb(self) -> str:
        return {"increase": "increased", "decrease": "decreased"}.get(self.direction,
                                                                      "was unchanged")


def change(before: Decimal, after: Decimal, indicator: IndicatorDefined) -> Change:
    """The percentage change from `before` to `after`, to the indicator's precision."""
    difference = after - before
    direction = "increase" if difference > 0 else "decrease" if difference < 0 else "unchanged"
    improved = None if not difference else (difference > 0) == (indicator.better == "higher")
    if not before:
        return Change(None, direction, improved)
    places = Decimal(1).scaleb(-indicator.change_decimals)
    exact = abs(difference) / before * HUNDRED
    return Change(exact.quantize(places, rounding=ROUND_HALF_UP), direction, improved)


def change_phrase(before: Decimal, after: Decimal, indicator: IndicatorDefined) -> str:
    """``increased by 6.4 per cent (777,458 to 827,225 offences)``."""
    moved = change(before, after, indicator)
    span = f"({number(before)} to {number(after)} {indicator.measure})"
    if moved.direction == "unchanged":
        return f"was unchanged {span}"
    if moved.percent is None:
        return f"{moved.verb} {span}"
    return f"{moved.verb} by {percent(moved.percent)} {span}"
