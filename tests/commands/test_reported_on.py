"""A command's declared date (`reported_on`): kept beside the real recorded time, checked."""

from __future__ import annotations

from datetime import date

from catalogue import from_recorded
from catalogue.periods import LONDON
from catalogue.reported import declared_on
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import assert_refused, given, head, progress


def declared(envelope: dict[str, object], day: str | None) -> dict[str, object]:
    return envelope if day is None else {**envelope, "reported_on": day}


def test_a_back_filled_command_keeps_its_declared_date_beside_the_recorded_time(
    plan: CommandService, store: EventStore
) -> None:
    """Given the plan, when the Quarter 1 return is recorded on 15 July declaring 30 June,
    then its event keeps both: recorded now, reported on 30 June."""
    (outcome,) = given(plan, declared(progress("delivered"), "2018-06-30"))
    assert outcome.first_position is not None
    (recorded,) = store.read_all(from_position=outcome.first_position)
    assert recorded.recorded_at.date() > date(2018, 6, 30)  # the store's time, not the date
    assert recorded.metadata["reported_on"] == "2018-06-30"
    assert from_recorded(recorded).metadata.reported_on == date(2018, 6, 30)
    assert declared_on(recorded.metadata, recorded.recorded_at) == date(2018, 6, 30)


def test_without_a_declared_date_it_was_reported_on_the_day_it_was_recorded(
    plan: CommandService, store: EventStore
) -> None:
    """No ``reported_on``: no metadata key, and the declared date is the London day of the
    recorded time."""
    (outcome,) = given(plan, progress())
    assert outcome.first_position is not None
    (recorded,) = store.read_all(from_position=outcome.first_position)
    assert "reported_on" not in recorded.metadata
    assert declared_on(recorded.metadata, recorded.recorded_at) == (
        recorded.recorded_at.astimezone(LONDON).date())


def test_a_declared_date_after_the_day_of_recording_is_refused_naming_the_field(
    plan: CommandService, store: EventStore
) -> None:
    """On 15 July 2018, a return declaring 16 July is in the future: refused, naming
    reported_on and both dates, and nothing is written. 15 July itself is accepted."""
    before = head(store)
    assert_refused(plan.submit(declared(progress(), "2018-07-16")), "reported_on",
                   "2018-07-16", "after the day it is recorded (2018-07-15)")
    assert head(store) == before
    given(plan, declared(progress(), "2018-07-15"))


def test_a_declared_date_that_is_not_a_date_is_refused(plan: CommandService,
                                                       store: EventStore) -> None:
    """A time, a number or a malformed date is refused naming reported_on; nothing written."""
    before = head(store)
    for bad in ("2018-06-31", "2018-06-30T12:00:00Z", "30/06/2018", 20180630, ""):
        assert_refused(plan.submit(declared(progress(), bad)), "reported_on",  # type: ignore[arg-type]
                       "YYYY-MM-DD")
    assert head(store) == before


def test_the_declared_date_is_part_of_the_command(plan: CommandService,
                                                  store: EventStore) -> None:
    """The same id sent again with the same date records nothing; with another date (or
    none) it is another command, and refused."""
    envelope = declared(progress(), "2018-06-30")
    (first,) = given(plan, envelope)
    again = plan.submit(dict(envelope))
    assert again.status.name == "REPLAYED" and again.first_position == first.first_position
    for other in ("2018-06-29", None):
        changed = {key: value for key, value in envelope.items() if key != "reported_on"}
        assert_refused(plan.submit(declared(changed, other)), "id", "already used")
