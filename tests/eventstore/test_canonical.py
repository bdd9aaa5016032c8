"""The canonical time text is the one the hash chain has always been computed over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from eventstore.canonical import TIME_FORMAT, format_time

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)),
     timezone(timedelta(hours=14))]
)


@given(st.datetimes(timezones=ZONES))
def test_format_time_is_the_documented_text(moment: datetime) -> None:
    """Any aware time is written in UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ, the year padded."""
    utc = moment.astimezone(UTC)
    expected = f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S.%f") + "Z"
    assert format_time(moment) == expected
    assert datetime.strptime(format_time(moment), TIME_FORMAT).replace(tzinfo=UTC) == utc


def test_format_time_examples() -> None:
    """Microseconds are always written and the zone is always Z."""
    assert format_time(datetime(2018, 4, 1, 9, tzinfo=UTC)) == "2018-04-01T09:00:00.000000Z"
    later = datetime(2018, 4, 1, 10, 0, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(later) == "2018-04-01T09:00:00.000005Z"
    assert format_time(datetime(999, 12, 31, tzinfo=UTC)) == "0999-12-31T00:00:00.000000Z"
