"""Whose clock sets `recorded_at`: the server's on PostgreSQL; on SQLite this machine's,
refused when it reads too far behind the log's last recorded time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from eventstore import ClockBehind, EventStore, NewEvent
from eventstore.writer import CLOCK_TOLERANCE

WRONG_FUTURE = datetime(2031, 1, 1, 9, 0, tzinfo=UTC)
TODAY = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def event(n: int = 0) -> NewEvent:
    return NewEvent("Happened", {"n": n})


def test_postgresql_records_the_server_time_not_the_writers(postgres_url: str) -> None:
    """A writer whose clock says 2031 cannot stamp the log 2031, nor hold later commits there."""
    before = datetime.now(UTC)
    with time_machine.travel(WRONG_FUTURE, tick=False), \
            EventStore.open(postgres_url, create=True) as store:
        wrong = store.append("a-1", [event(1)])
    with EventStore.open(postgres_url) as store:
        normal = store.append("a-1", [event(2)])
        after = datetime.now(UTC)
        assert before <= wrong.recorded_at <= normal.recorded_at <= after
        assert [e.recorded_at for e in store.read_all()] == [wrong.recorded_at,
                                                             normal.recorded_at]
        # As-of "now" sees both commits.
        assert store.position_at(after) == 2


def test_postgresql_clamps_when_the_server_clock_is_behind_the_head(postgres_url: str) -> None:
    """The server's time is not refused, but recorded time still never goes backwards."""
    ahead = datetime.now(UTC) + timedelta(hours=1)
    with EventStore.open(postgres_url, create=True, clock=lambda: ahead) as store:
        store.append("a-1", [event(1)])
    with EventStore.open(postgres_url) as store:
        result = store.append("a-1", [event(2)])
        assert result.recorded_at == ahead
        assert [e.recorded_at for e in store.read_all()] == [ahead, ahead]
        assert store.verify().ok


def test_sqlite_refuses_a_commit_behind_a_future_head(sqlite_url: str) -> None:
    """The 2031 commit goes in (nothing says it is wrong); the next one names both times."""
    with time_machine.travel(WRONG_FUTURE, tick=False), \
            EventStore.open(sqlite_url, create=True) as store:
        assert store.append("a-1", [event(1)]).recorded_at == WRONG_FUTURE
    with time_machine.travel(TODAY, tick=False), EventStore.open(sqlite_url) as store:
        with pytest.raises(ClockBehind) as refused:
            store.append("a-1", [event(2)])
        assert str(refused.value) == (
            "clock behind the log: this machine's clock reads 2026-12-03T12:00:00.000000Z, "
            "but the last commit was recorded at 2031-01-01T09:00:00.000000Z (more than 5 s "
            "later); nothing was written: check the clock"
        )
        assert store.head().position == 1
        assert store.stream_version("a-1") == 1


@pytest.mark.parametrize("behind", [timedelta(0), timedelta(milliseconds=1), CLOCK_TOLERANCE])
def test_sqlite_takes_the_heads_time_for_a_small_step_back(sqlite_url: str,
                                                           behind: timedelta) -> None:
    """Within the tolerance this machine's clock behind the head commits at the head's time."""
    with time_machine.travel(TODAY, tick=False), \
            EventStore.open(sqlite_url, create=True) as store:
        store.append("a-1", [event(1)])
    with time_machine.travel(TODAY - behind, tick=False), EventStore.open(sqlite_url) as store:
        assert store.append("a-1", [event(2)]).recorded_at == TODAY
        assert [e.recorded_at for e in store.read_all()] == [TODAY, TODAY]
        assert store.verify().ok


def test_sqlite_refuses_a_step_back_just_past_the_tolerance(sqlite_url: str) -> None:
    """The refusal carries both times; nothing is written."""
    late = TODAY - CLOCK_TOLERANCE - timedelta(microseconds=1)
    with time_machine.travel(TODAY, tick=False), \
            EventStore.open(sqlite_url, create=True) as store:
        store.append("a-1", [event(1)])
    with time_machine.travel(late, tick=False), EventStore.open(sqlite_url) as store:
        with pytest.raises(ClockBehind) as refused:
            store.append("a-1", [event(2)])
        assert (refused.value.clock_time, refused.value.head_time) == (late, TODAY)
        assert store.head().position == 1


def test_an_explicit_clock_is_taken_as_given_and_clamped(database_url: str) -> None:
    """The override for tests and tools writing at chosen times: never refused, and recorded
    time still never goes backwards."""
    times = iter([TODAY, TODAY - timedelta(days=30)])
    with EventStore.open(database_url, create=True, clock=lambda: next(times)) as store:
        store.append("a-1", [event(1)])
        assert store.append("a-1", [event(2)]).recorded_at == TODAY
        assert [e.recorded_at for e in store.read_all()] == [TODAY, TODAY]
        assert store.verify().ok


def test_a_clock_ahead_of_the_head_is_the_new_head(sqlite_url: str) -> None:
    """SQLite has no reference clock: a clock ahead of the head is accepted as it reads."""
    with time_machine.travel(TODAY, tick=False), \
            EventStore.open(sqlite_url, create=True) as store:
        store.append("a-1", [event(1)])
    with time_machine.travel(WRONG_FUTURE, tick=False), EventStore.open(sqlite_url) as store:
        assert store.append("a-1", [event(2)]).recorded_at == WRONG_FUTURE
        assert store.head().recorded_at == WRONG_FUTURE


def test_sqlite_answers_a_resent_commit_whatever_the_clock(sqlite_url: str) -> None:
    """A retry of a recorded commit writes nothing, so the clock is not asked: it is answered."""
    with time_machine.travel(WRONG_FUTURE, tick=False), \
            EventStore.open(sqlite_url, create=True) as store:
        first = store.append("a-1", [event(1)], idempotency_key="k1")
    with time_machine.travel(TODAY, tick=False), EventStore.open(sqlite_url) as store:
        again = store.append("a-1", [event(1)], idempotency_key="k1")
        assert again.replayed and again.recorded_at == first.recorded_at == WRONG_FUTURE
