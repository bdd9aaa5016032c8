"""Dates at the source's precision: "In April" is recorded as a month, not as 1 April."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue import OperationalUpdateRecorded, decode, encode
from catalogue.precision import PreciseDate, parse_precise, precision_of
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    PERFORMANCE,
    VCTF_RECORDER,
    assert_refused,
    cmd,
    event_id,
    given,
    head,
    update,
    written,
)


@pytest.mark.parametrize(("given_as", "stored", "first_day", "precision"), [
    ("2018-05-14", "2018-05-14", date(2018, 5, 14), "day"),
    ("2018-05", "2018-05", date(2018, 5, 1), "month"),
    ("2018-19-Q1", "2018-19-Q1", date(2018, 4, 1), "quarter"),
    ("2018/19 Q2", "2018-19-Q2", date(2018, 7, 1), "quarter"),
])
def test_an_update_keeps_the_precision_it_was_given(
        plan: CommandService, store: EventStore, given_as: str, stored: str,
        first_day: date, precision: str) -> None:
    """The event stores the date as precisely as given and reads as the period's first day."""
    outcome = plan.submit(update(effective_date=given_as))
    assert outcome.accepted, outcome.describe()
    (event,) = written(store, outcome)
    assert isinstance(event, OperationalUpdateRecorded)
    assert (event.effective_date, precision_of(event.effective_date)) == (first_day, precision)
    (recorded,) = store.read_all(from_position=outcome.first_position or 0)
    assert recorded.data["effective_date"] == stored


@pytest.mark.parametrize(("given_as", "words"), [
    ("2018-13", "real date"), ("2018-02-30", "real date"), ("April 2018", "real date"),
    ("2018-19-Q5", "real date"), ("2018-08", "future"), ("2018-19-Q3", "future"),
])
def test_a_date_of_no_known_form_or_in_the_future_is_refused(
        plan: CommandService, store: EventStore, given_as: str, words: str) -> None:
    """A month or quarter that begins after today is refused like a day would be; nothing is
    written."""
    before = head(store)
    assert_refused(plan.submit(update(effective_date=given_as)), "effective_date", words)
    assert head(store) == before


def test_an_event_stored_before_precisions_reads_as_a_day() -> None:
    """Old payloads hold a full date: upcast to day precision, same bytes when written
    again."""
    payload = {"update_id": "u", "topic_id": "t", "unit_id": "mps", "title": "T",
               "effective_date": "2018-04-01", "narrative": "", "milestone_id": None,
               "facts": [], "kind": "other"}
    event = decode("OperationalUpdateRecorded", 1, payload)
    assert isinstance(event, OperationalUpdateRecorded)
    assert precision_of(event.effective_date) == "day"
    assert encode(event)["effective_date"] == "2018-04-01"


def test_a_correction_may_give_a_date_a_coarser_precision(
        plan: CommandService, store: EventStore) -> None:
    """``1 April`` corrected to ``April``: the correction stores the month, the state reads
    it back as one."""
    recorded = given(plan, update(effective_date="2018-04-01", update_id="strategy"))[0]
    target = event_id(store, recorded)
    outcome = plan.submit(cmd("CorrectEvent", VCTF_RECORDER, event_id=target,
                              changes={"effective_date": "2018-04"},
                              reason="the source says only April"))
    assert outcome.accepted, outcome.describe()
    (correction,) = written(store, outcome)
    assert correction.changes == {"effective_date": "2018-04"}  # type: ignore[attr-defined]


def test_an_indicator_release_may_be_a_month(plan: CommandService, store: EventStore) -> None:
    """"Released in April": the value's release date is April 2018."""
    given(plan, cmd("DefineIndicator", PERFORMANCE, indicator_id="tno", name="TNO",
                    measure="offences", better="lower"))
    outcome = plan.submit(cmd("RecordIndicatorValue", PERFORMANCE, indicator_id="tno",
                              period="2017-18", value="827225", source="MPS",
                              released_on="2018-04"))
    assert outcome.accepted, outcome.describe()
    (recorded,) = store.read_all(from_position=outcome.first_position or 0)
    assert recorded.data["released_on"] == "2018-04"


def test_a_precise_date_compares_as_its_first_day_and_is_immutable() -> None:
    """Sorting and cut-offs use the start of the period; the precision cannot be changed."""
    april = parse_precise("2018-04")
    assert april == date(2018, 4, 1) and april < date(2018, 4, 2)
    assert sorted([date(2018, 4, 2), parse_precise("2018-19-Q1"), april])[0] == date(2018, 4, 1)
    with pytest.raises(AttributeError):
        april.precision = "day"  # type: ignore[misc]
    with pytest.raises(ValueError, match="first day"):
        PreciseDate(2018, 4, 2, "month")
