"""When the jobs fire.

Quarter closes are Europe/London dates. Returns arrive weeks after a close, so a quarter's
snapshot is cut off a grace period after it (`projections.snapshots.taking.grace_ends`,
default 30 days). The quarter-close job fires at 00:30 London time on the day each
quarter's grace period ends (on the quarter's first day for a grace of 0): after the
cut-off, and never in the 01:00–02:00 hour that the clock changes repeat or skip. The
cut-off is fixed by the quarter and the grace, so the firing time only decides when the
snapshot appears, not what it says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from catalogue import Quarter
from catalogue.periods import LONDON
from projections.snapshots.taking import DEFAULT_GRACE_DAYS, grace_ends

FIRES_AFTER = timedelta(minutes=30)
"""How long after a cut-off (a London midnight) the job fires: 00:30 local time."""


class QuarterCloseTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """00:30 Europe/London on the day each quarter's grace period ends."""

    def __init__(self, grace_days: int = DEFAULT_GRACE_DAYS) -> None:
        if grace_days < 0:
            raise ValueError("grace_days must not be negative")
        self.grace_days = grace_days
        self.timezone = LONDON

    def fire_time(self, quarter: Quarter) -> datetime:
        return (grace_ends(quarter, self.grace_days) + FIRES_AFTER).astimezone(LONDON)

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime | None:
        """The first firing at or after `now` (or just after the previous one, as
        APScheduler's own triggers do)."""
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
        quarter = Quarter.at(start - timedelta(days=self.grace_days + 1)).previous()
        while self.fire_time(quarter) < start:
            quarter = quarter.next()
        return self.fire_time(quarter)

    def __str__(self) -> str:
        return f"quarter close + {self.grace_days} days, 00:30 Europe/London"

    def __repr__(self) -> str:
        return f"<QuarterCloseTrigger (grace_days={self.grace_days})>"


def quarter_close_trigger(grace_days: int = DEFAULT_GRACE_DAYS) -> QuarterCloseTrigger:
    """00:30 Europe/London on the day each quarter's grace period ends."""
    return QuarterCloseTrigger(grace_days)


def every(seconds: float) -> IntervalTrigger:
    """A fixed interval (zone-free: measured in UTC)."""
    return IntervalTrigger(seconds=seconds, timezone=UTC)
