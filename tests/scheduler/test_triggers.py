"""When the jobs fire: after each quarter's close on London dates, clear of the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from catalogue import Quarter
from catalogue.periods import LONDON
from opslog.scheduler.triggers import every, quarter_close_trigger
from projections.snapshots.taking import grace_ends


def fire_times(start: datetime, count: int, grace_days: int = 0) -> list[datetime]:
    trigger = quarter_close_trigger(grace_days)
    times: list[datetime] = []
    now = start
    previous = None
    for _ in range(count):
        found = trigger.get_next_fire_time(previous, now)
        assert found is not None
        times.append(found)
        previous, now = found, found + timedelta(microseconds=1)
    return times


def test_a_year_of_quarter_closes_including_both_clock_changes() -> None:
    """From 1 March 2018 the job fires at 00:30 London time on 1 April (BST), 1 July,
    1 October and 1 January (GMT): the UTC instants move with the clock changes of 25 March
    and 28 October, and none falls in the 01:00–02:00 hour."""
    times = fire_times(datetime(2018, 3, 1, tzinfo=LONDON), 4)
    assert [moment.astimezone(UTC) for moment in times] == [
        datetime(2018, 3, 31, 23, 30, tzinfo=UTC),
        datetime(2018, 6, 30, 23, 30, tzinfo=UTC),
        datetime(2018, 9, 30, 23, 30, tzinfo=UTC),
        datetime(2019, 1, 1, 0, 30, tzinfo=UTC),
    ]
    assert [moment.astimezone(LONDON).utcoffset() for moment in times] == [
        timedelta(hours=1), timedelta(hours=1), timedelta(hours=1), timedelta(0)]


@pytest.mark.parametrize("year", range(2018, 2031))
def test_each_fire_follows_a_quarter_close_by_half_an_hour(year: int) -> None:
    """Every year, each firing is 30 minutes after the close of the quarter just ended
    (midnight London after its last day), at 00:30 local time."""
    for moment in fire_times(datetime(year, 1, 1, 1, tzinfo=LONDON), 4):
        local = moment.astimezone(LONDON)
        closed = Quarter.at(moment).previous()
        assert moment - closed.closes_at == timedelta(minutes=30)
        assert (local.day, local.hour, local.minute) == (1, 0, 30)
        assert not 1 <= local.hour < 2


def test_the_trigger_names_its_zone() -> None:
    """An explicit Europe/London zone, never the server's."""
    assert quarter_close_trigger().timezone == LONDON
    assert quarter_close_trigger(0).timezone == LONDON


def test_a_scheduler_down_across_a_close_is_not_fired_for_it_again() -> None:
    """Asked on 2 July (no grace), the next fire time is October's: the missed July close is
    caught up by the job itself (self-healing), not by the trigger."""
    with time_machine.travel(datetime(2018, 7, 2, 9, tzinfo=UTC), tick=False):
        now = datetime.now(LONDON)
        found = quarter_close_trigger(0).get_next_fire_time(None, now)
    assert found is not None
    assert found.astimezone(UTC) == datetime(2018, 9, 30, 23, 30, tzinfo=UTC)


def test_by_default_it_fires_as_each_quarters_30_days_of_grace_end() -> None:
    """From 1 March 2018: 00:30 London on 1 May, 31 July, 31 October and 31 January, each
    30 days after a close, the cut-off the job then snapshots at."""
    times = fire_times(datetime(2018, 3, 1, tzinfo=LONDON), 4, grace_days=30)
    assert times == [datetime(2018, 5, 1, 0, 30, tzinfo=LONDON),
                     datetime(2018, 7, 31, 0, 30, tzinfo=LONDON),
                     datetime(2018, 10, 31, 0, 30, tzinfo=LONDON),
                     datetime(2019, 1, 31, 0, 30, tzinfo=LONDON)]
    for moment in times:
        closed = Quarter.at(moment - timedelta(days=30, hours=1))
        assert moment - timedelta(minutes=30) == grace_ends(closed, 30)
    assert quarter_close_trigger().get_next_fire_time(None, times[0]) == times[0]


@pytest.mark.parametrize("grace_days", [1, 30, 45, 90])
def test_a_long_grace_still_fires_once_per_quarter_at_half_past_midnight(grace_days: int) -> None:
    """However long the grace, one firing a quarter, at 00:30 local time, across the clock
    changes."""
    times = fire_times(datetime(2019, 1, 1, tzinfo=LONDON), 8, grace_days)
    quarters = [Quarter.at(moment - timedelta(days=grace_days, hours=1)) for moment in times]
    assert quarters[1:] == [quarter.next() for quarter in quarters[:-1]]
    assert all((m.astimezone(LONDON).hour, m.astimezone(LONDON).minute) == (0, 30)
               for m in times)


def test_the_catch_up_interval_is_the_one_asked_for() -> None:
    """Every N seconds, from now."""
    with time_machine.travel(datetime(2018, 10, 28, 0, 59, 50, tzinfo=UTC), tick=False):
        now = datetime.now(UTC)
        trigger = every(15)
        first = trigger.get_next_fire_time(None, now)
        assert first is not None
        second = trigger.get_next_fire_time(first, first)
    assert second is not None and second - first == timedelta(seconds=15)
