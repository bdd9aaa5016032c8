"""When the jobs fire.

Quarter closes are Europe/London dates. The quarter-close job fires at 00:30 London time on
the first day of each quarter (1 January, April, July and October): after the close, and
never in the 01:00–02:00 hour that the clock changes repeat or skip. The cut-off is the
close itself, so the firing time only decides when the snapshot appears, not what it says.
"""

from __future__ import annotations

from datetime import UTC

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from catalogue.periods import LONDON


def quarter_close_trigger() -> CronTrigger:
    """00:30 Europe/London on 1 January, April, July and October."""
    return CronTrigger(month="1,4,7,10", day=1, hour=0, minute=30, timezone=LONDON)


def every(seconds: float) -> IntervalTrigger:
    """A fixed interval (zone-free: measured in UTC)."""
    return IntervalTrigger(seconds=seconds, timezone=UTC)
