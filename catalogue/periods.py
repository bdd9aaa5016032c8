"""Reporting periods: financial years (April to March), their quarters, and months.

`2018-19-Q1` is April to June 2018. Boundaries are Europe/London dates; instants are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_YEAR = r"(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2})"
_QUARTER_RE = re.compile(rf"^{_YEAR}\s*[-\s]?\s*Q(?P<q>[1-4])$", re.IGNORECASE)
_YEAR_RE = re.compile(rf"^{_YEAR}$")
_MONTH_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")


class PeriodError(ValueError):
    """A period written in a form we do not read."""


def london_midnight(day: date) -> datetime:
    """The UTC instant at which a Europe/London calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class FinancialYear:
    """A financial year named by the calendar year it starts in: 2018 is ``2018-19``."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _YEAR_RE.match(text.strip())
        if not match:
            raise PeriodError(f"{text!r} is not a financial year like 2017-18")
        return cls._from_match(match, text)

    @classmethod
    def _from_match(cls, match: re.Match[str], text: str) -> FinancialYear:
        start = int(match["start"])
        if (start + 1) % 100 != int(match["end"]):
            raise PeriodError(f"{text!r}: {match['end']} does not follow {start}")
        if not 1900 <= start <= 2999:
            raise PeriodError(f"{text!r}: year out of range")
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end_day(self) -> date:
        """The first day after the year."""
        return date(self.start_year + 1, 4, 1)

    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.start_year, number) for number in range(1, 5))

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    """A financial-year quarter: ``Quarter(2018, 1)`` is ``2018-19-Q1``, April–June 2018."""

    start_year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read ``2018-19-Q1``, ``2018-19 Q1`` or ``2018/19 Q1``."""
        match = _QUARTER_RE.match(text.strip())
        if not match:
            raise PeriodError(f"{text!r} is not a quarter like 2018-19-Q1")
        year = FinancialYear._from_match(match, text)
        return cls(year.start_year, int(match["q"]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = FinancialYear.containing(day)
        return cls(year.start_year, ((day.month - 4) % 12) // 3 + 1)

    @classmethod
    def at(cls, moment: datetime) -> Quarter:
        """The quarter an instant falls in, on the Europe/London calendar."""
        return cls.containing(moment.astimezone(LONDON).date())

    @property
    def year(self) -> FinancialYear:
        return FinancialYear(self.start_year)

    @property
    def first_day(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end_day(self) -> date:
        """The first day after the quarter."""
        return self.next().first_day

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end_day.toordinal() - 1)

    @property
    def starts_at(self) -> datetime:
        return london_midnight(self.first_day)

    @property
    def closes_at(self) -> datetime:
        """The instant the quarter closes: midnight, Europe/London, after its last day."""
        return london_midnight(self.end_day)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day < self.end_day

    @property
    def label(self) -> str:
        """How the report names it: ``2018-19, Quarter 1``."""
        return f"{self.year}, Quarter {self.number}"

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_RE.match(text.strip())
        if not match or not 1 <= int(match["m"]) <= 12:
            raise PeriodError(f"{text!r} is not a month like 2018-06")
        if not 1900 <= int(match["y"]) <= 2999:  # as for financial years
            raise PeriodError(f"{text!r}: year out of range")
        return cls(int(match["y"]), int(match["m"]))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


Period = FinancialYear | Quarter | Month


def parse_period(text: str) -> Period:
    """A financial year (``2017-18``), a quarter (``2018-19-Q1``) or a month (``2018-06``)."""
    for parser in (Quarter.parse, FinancialYear.parse, Month.parse):
        try:
            return parser(text)
        except PeriodError:
            continue
    raise PeriodError(
        f"{text!r} is not a period: use a financial year (2017-18), "
        "a quarter (2018-19-Q1) or a month (2018-06)"
    )


def period_sort_key(period: Period) -> tuple[date, int]:
    """Order periods by when they start, longer periods first on ties."""
    rank = {FinancialYear: 0, Quarter: 1, Month: 2}[type(period)]
    return (period.first_day, rank)
