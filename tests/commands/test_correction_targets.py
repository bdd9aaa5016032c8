"""A correction or retraction names its target by event id, by the command that recorded
it, or by what it is about (update id, milestone id with the event type): resolved on the
write side to exactly one event, or refused naming the field."""

from __future__ import annotations

import uuid
from typing import Any

from catalogue import EventCorrected, EventRetracted
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
    progress,
    update,
    written,
)


def correct(reason: str = "figures checked", *, changes: dict[str, object],
            **reference: object) -> dict[str, Any]:
    envelope = cmd("CorrectEvent", VCTF_RECORDER, changes=changes, reason=reason)
    envelope["data"].update(reference)  # `command_id` is a field here, not the envelope's id
    return envelope


def retract(reason: str = "recorded twice", **reference: object) -> dict[str, Any]:
    envelope = cmd("RetractEvent", VCTF_RECORDER, reason=reason)
    envelope["data"].update(reference)
    return envelope


def test_a_correction_names_its_target_by_command_id(plan: CommandService,
                                                     store: EventStore) -> None:
    """The command's id is what a recorder kept from their file: it names the one event that
    command recorded."""
    (recorded,) = given(plan, {**update(update_id="girls-allowed", title="Girls Allowd"),
                               "id": "june/girls-allowed"})
    outcome = plan.submit(correct(changes={"title": "Girls Allowed"},
                                  command_id="june/girls-allowed"))
    (corrected,) = written(store, outcome)
    assert isinstance(corrected, EventCorrected)
    assert corrected.target_event_id == uuid.UUID(event_id(store, recorded))
    assert corrected.changes == {"title": "Girls Allowed"}


def test_a_retraction_names_its_target_by_update_id(plan: CommandService,
                                                    store: EventStore) -> None:
    """An update id names the update's one event, past its corrections."""
    (recorded,) = given(plan, update(update_id="girls-allowed", title="Girls Allowd"))
    given(plan, correct(changes={"title": "Girls Allowed"}, update_id="girls-allowed"))
    outcome = plan.submit(retract(update_id="girls-allowed"))
    (retracted,) = written(store, outcome)
    assert isinstance(retracted, EventRetracted)
    assert retracted.target_event_id == uuid.UUID(event_id(store, recorded))


def test_a_milestone_reference_takes_the_event_type(plan: CommandService,
                                                   store: EventStore) -> None:
    """A milestone's stream holds its schedule and its reports: the milestone id alone is
    refused as matching both; with the event type it names the report."""
    (report,) = given(plan, progress("on_track"))
    before = head(store)
    assert_refused(plan.submit(correct(changes={"status": "some_delay"}, milestone_id="vctf")),
                   "milestone_id", "matches 2 events", "MilestoneScheduled",
                   "MilestoneProgressReported", "event_type")
    assert head(store) == before
    outcome = plan.submit(correct(changes={"status": "some_delay"}, milestone_id="vctf",
                                  event_type="MilestoneProgressReported"))
    (corrected,) = written(store, outcome)
    assert isinstance(corrected, EventCorrected)
    assert corrected.target_event_id == uuid.UUID(event_id(store, report))


def test_more_than_one_match_is_refused_and_a_retracted_one_is_passed_over(
    plan: CommandService, store: EventStore
) -> None:
    """Two live reports: refused, naming milestone_id and both candidates by position and
    event id (so one can be chosen). Once one is retracted, the same reference names the
    other."""
    (first,) = given(plan, progress("on_track", as_of="2018-06-15"))
    (second,) = given(plan, progress("delivered", as_of="2018-06-30"))
    reference = {"milestone_id": "vctf", "event_type": "MilestoneProgressReported"}
    assert_refused(plan.submit(correct(changes={"status": "some_delay"}, **reference)),
                   "milestone_id", "matches 2 events",
                   f"position {first.first_position}, event_id {event_id(store, first)}",
                   f"position {second.first_position}, event_id {event_id(store, second)}")
    given(plan, retract(event_id=event_id(store, first)))
    outcome = plan.submit(correct(changes={"status": "some_delay"}, **reference))
    (corrected,) = written(store, outcome)
    assert isinstance(corrected, EventCorrected)
    assert corrected.target_event_id == uuid.UUID(event_id(store, second))


def test_a_reference_that_matches_nothing_is_refused_naming_its_field(
    plan: CommandService, store: EventStore
) -> None:
    """An unknown command id, update id or milestone id; a command that recorded only a
    correction; a type the subject has no event of: each refused, nothing written."""
    (recorded,) = given(plan, update(update_id="girls-allowed"))
    (correction,) = given(plan, {**correct(changes={"title": "Girls Allowed!"},
                                           event_id=event_id(store, recorded)),
                                 "id": "fix/girls-allowed"})
    before = head(store)
    changes = {"title": "Girls Allowed"}
    assert_refused(plan.submit(correct(changes=changes, command_id="never/sent")),
                   "command_id", "no command 'never/sent'")
    assert_refused(plan.submit(correct(changes=changes, command_id="fix/girls-allowed")),
                   "command_id", "no event of command 'fix/girls-allowed'")
    assert_refused(plan.submit(correct(changes=changes, update_id="no-such-update")),
                   "update_id", "no event of update 'no-such-update'")
    assert_refused(plan.submit(retract(milestone_id="vctf", event_type="MilestoneWithdrawn")),
                   "milestone_id", "no event of milestone 'vctf' as a MilestoneWithdrawn")
    assert head(store) == before
    assert correction.accepted


def test_exactly_one_reference_is_given(plan: CommandService, store: EventStore) -> None:
    """None, or two at once: refused by the schema, naming the field."""
    (recorded,) = given(plan, update(update_id="girls-allowed"))
    changes = {"title": "Girls Allowed"}
    assert_refused(plan.submit(correct(changes=changes)), "event_id", "give one of",
                   "command_id", "update_id", "milestone_id")
    assert_refused(plan.submit(correct(changes=changes, event_id=event_id(store, recorded),
                                       update_id="girls-allowed")),
                   "update_id", "only one of event_id, update_id")
    assert_refused(plan.submit(correct(changes=changes, update_id="girls-allowed",
                                       event_type="NoSuchEvent")), "event_type")


def test_the_answer_is_authorised_as_its_target(plan: CommandService) -> None:
    """Named by command id, the target's recording policy still decides who may answer."""
    given(plan, {**progress("on_track"), "id": "q1/vctf-progress"})
    outcome = plan.submit({**correct(changes={"status": "some_delay"},
                                     command_id="q1/vctf-progress"), "actor": PERFORMANCE})
    assert_refused(outcome, "actor")
