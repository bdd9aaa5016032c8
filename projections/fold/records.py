"""What the fold keeps: every fact as recorded, each with the versions corrections made.

A `Record` is one recorded event (a milestone scheduled, a progress report, an update,
an indicator value …). Its first `Version` is known from the event's own position; a
correction closes the current version and opens the next one at the correction's
position; a retraction closes the last one. So "what did the log say at position P" is
the version whose ``known_from <= P < known_to``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from catalogue import (
    DomainEvent,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdate,
    Quarter,
    QuarterOverviewWritten,
    parse_period,
)
from catalogue.periods import LONDON


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure or status came from: the event's position, id, type and time."""

    position: int
    event_id: str
    type: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """A correction or retraction of a record: when, by whom, why, and what changed."""

    position: int
    event_id: str
    recorded_at: datetime
    actor: str
    reason: str
    changes: dict[str, Any] = field(default_factory=dict)
    """New values of the corrected fields (payload form); empty for a retraction."""
    previous: dict[str, Any] = field(default_factory=dict)
    """The values they replaced."""

    kind: str = "EventCorrected"
    """``EventCorrected`` or ``EventRetracted``."""
    channel: str = ""
    """How it reached the log (``api tok-…``, ``direct user@host``); empty for events
    written before channels were recorded."""
    unit: str = ""
    """The unit the actor recorded it for, when the actor acts for one; empty otherwise."""

    @property
    def source(self) -> Source:
        return Source(self.position, self.event_id, self.kind, self.recorded_at)


@dataclass(slots=True)
class Version:
    """The record's event as known from `known_from` until `known_to` (None: still)."""

    event: DomainEvent
    payload_json: str
    known_from: int
    known_to: int | None = None
    notes: tuple[Note, ...] = ()
    """Every correction up to and including the one that made this version."""
    keys: Keys | None = field(default=None, compare=False, repr=False)
    """Its lookup keys, once asked for (see `version_keys`)."""

    def known_at(self, position: int) -> bool:
        return self.known_from <= position and (self.known_to is None or position < self.known_to)


@dataclass(slots=True)
class Record:
    """One recorded fact and its versions, oldest first."""

    event_id: str
    position: int
    type: str
    stream_id: str
    recorded_at: datetime
    occurred_at: datetime
    versions: list[Version]
    retraction: Note | None = None

    @property
    def source(self) -> Source:
        return Source(self.position, self.event_id, self.type, self.recorded_at)

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def version_at(self, position: int | None) -> Version | None:
        """The version known at `position` (None: the latest knowledge)."""
        if position is None:
            last = self.versions[-1]
            return last if last.known_to is None else None
        for version in reversed(self.versions):
            if version.known_from <= position:
                return version if version.known_to is None or position < version.known_to else None
        return None


# -- what each kind of fact is about, in time ------------------------------------------------

EffectiveDate = Callable[[Any, datetime], date | None]


def _london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


EFFECTIVE_DATES: dict[type[DomainEvent], EffectiveDate] = {
    MilestoneProgressReported: lambda event, _: event.as_of,
    IndicatorValueRecorded: lambda event, _: event.released_on,
    MilestoneRescheduled: lambda _, occurred_at: _london_date(occurred_at),
    MilestoneWithdrawn: lambda _, occurred_at: _london_date(occurred_at),
}
"""Dated facts and the date each takes effect; every operational update uses its
`effective_date`. Definitions (themes, topics, units, indicators, milestone schedules) and
the quarter's overview are timeless: they frame the report at every effective date."""


RELEASES = frozenset({"IndicatorValueRecorded"})
"""Facts that are releases: each version was published on its own date, so a correction
that moves one into a later release leaves the earlier release true before that date."""


def released_by(record: Record, version: Version, effective: date) -> Version | None:
    """The newest version up to `version` released by `effective`, if any."""
    index = next(at for at, known in enumerate(record.versions) if known is version)
    for earlier in reversed(record.versions[:index]):
        on = effective_date(earlier.event, record.occurred_at)
        if on is not None and on <= effective:
            return earlier
    return None


def effective_date(event: DomainEvent, occurred_at: datetime) -> date | None:
    """The date from which the fact holds in the world, or None for timeless definitions."""
    if isinstance(event, OperationalUpdate):
        return event.effective_date
    rule = EFFECTIVE_DATES.get(type(event))
    return None if rule is None else rule(event, occurred_at)


def quarter_number(quarter: Quarter) -> int:
    """A quarter as one sortable integer (2018-19-Q1 is 8072)."""
    return quarter.start_year * 4 + quarter.number - 1


def quarter_of_number(number: int) -> Quarter:
    return Quarter(number // 4, number % 4 + 1)


@dataclass(frozen=True, slots=True)
class Keys:
    """What a version is about, for finding it again without reading it."""

    milestone_id: str | None = None
    quarter: int | None = None
    from_quarter: int | None = None
    status: str | None = None
    effective_on: date | None = None


def version_keys(record: Record, version: Version) -> Keys:
    """The version's lookup keys, computed once."""
    if version.keys is None:
        version.keys = keys_of(version.event, record.occurred_at)
    return version.keys


def keys_of(event: DomainEvent, occurred_at: datetime) -> Keys:
    """The lookup keys of one version (what the persisted read models index)."""
    on = effective_date(event, occurred_at)
    if isinstance(event, MilestoneScheduled):
        return Keys(event.milestone_id, quarter_number(event.due_quarter))
    if isinstance(event, MilestoneProgressReported):
        return Keys(event.milestone_id, quarter_number(event.quarter), status=event.status,
                    effective_on=on)
    if isinstance(event, MilestoneRescheduled):
        return Keys(event.milestone_id, quarter_number(event.to_quarter),
                    quarter_number(event.from_quarter), effective_on=on)
    if isinstance(event, MilestoneWithdrawn):
        assert on is not None
        return Keys(event.milestone_id, quarter_number(Quarter.containing(on)), effective_on=on)
    if isinstance(event, OperationalUpdate):
        return Keys(event.milestone_id,
                    quarter=quarter_number(Quarter.containing(event.effective_date)),
                    effective_on=on)
    if isinstance(event, QuarterOverviewWritten):
        return Keys(quarter=quarter_number(event.quarter))
    if isinstance(event, IndicatorValueRecorded):
        return Keys(quarter=period_quarter(event.period), effective_on=on)
    return Keys(effective_on=on)


def period_quarter(period: str) -> int:
    """The number of the quarter a period (a year, quarter or month) starts in."""
    return quarter_number(Quarter.containing(parse_period(period).first_day))


def chart_window(quarter: Quarter) -> tuple[int, int]:
    """The quarters (first, last) whose periods a quarter's charts show: the three financial
    years before the quarter's own, up to the quarter itself."""
    return quarter_number(Quarter(quarter.start_year - CHART_YEARS, 1)), quarter_number(quarter)


CHART_YEARS = 3
