"""Corrections and retractions answer an event; history itself is never edited."""

from __future__ import annotations

import uuid

from catalogue import EventCorrected, EventRetracted, from_recorded
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    ADMIN,
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


def correct(target: str, reason: str = "figures checked", **changes: object) -> dict[str, object]:
    return cmd("CorrectEvent", VCTF_RECORDER, event_id=target, changes=changes, reason=reason)


def retract(target: str, reason: str = "recorded twice") -> dict[str, object]:
    return cmd("RetractEvent", VCTF_RECORDER, event_id=target, reason=reason)


def test_a_correction_points_at_the_original_which_stays(
    plan: CommandService, store: EventStore
) -> None:
    """The original is untouched; EventCorrected on its stream holds the new values and why."""
    (recorded,) = given(plan, update(update_id="girls-allowed", facts=[
        {"name": "people brought together", "kind": "count", "value": 40}]))
    original = store.read_stream("update-girls-allowed")
    target = event_id(store, recorded)
    outcome = plan.submit(correct(target, "a nought was lost", facts=[
        {"name": "people brought together", "kind": "count", "value": 400}]))
    assert written(store, outcome) == [EventCorrected(
        target_event_id=uuid.UUID(target), target_stream_id="update-girls-allowed",
        target_type="OperationalUpdateRecorded",
        changes={"facts": [{"name": "people brought together", "kind": "count", "value": 400,
                            "unit": None}]},
        reason="a nought was lost")]
    stream = store.read_stream("update-girls-allowed")
    assert stream[0] == original[0]
    assert [event.type for event in stream] == ["OperationalUpdateRecorded", "EventCorrected"]


def test_a_second_correction_builds_on_the_first(plan: CommandService, store: EventStore) -> None:
    """Correcting back to what the first correction said changes nothing and is refused."""
    (recorded,) = given(plan, update(title="Girls Allowd"))
    target = event_id(store, recorded)
    given(plan, correct(target, title="Girls Allowed"))
    assert_refused(plan.submit(correct(target, title="Girls Allowed")), "changes",
                   "change nothing")


def test_corrections_are_checked_like_the_original(plan: CommandService, store: EventStore) -> None:
    """Unknown fields, fixed fields, bad values and broken rules are refused under changes."""
    (recorded,) = given(plan, update())
    target = event_id(store, recorded)
    before = head(store)
    assert_refused(plan.submit(correct(target, colour="green")), "changes.colour",
                   "cannot be corrected")
    assert_refused(plan.submit(correct(target, unit_id="south-west")), "changes.unit_id",
                   "cannot be corrected")
    assert_refused(plan.submit(correct(target, kind="party")), "changes.kind", "must be one of")
    assert_refused(plan.submit(correct(target, effective_date="2019-01-01")),
                   "changes.effective_date", "in the future")
    assert_refused(plan.submit(correct(target, reason="", title="x")), "reason")
    assert head(store) == before


def test_only_recorded_original_events_are_answered(
    plan: CommandService, store: EventStore
) -> None:
    """Unknown ids, corrections themselves and retracted events take no correction."""
    assert_refused(plan.submit(correct(str(uuid.uuid4()), title="x")), "event_id",
                   "is recorded")
    (recorded,) = given(plan, progress("on_track"))
    target = event_id(store, recorded)
    (corrected,) = given(plan, correct(target, status="some_delay"))
    assert_refused(plan.submit(correct(event_id(store, corrected), status="on_track")),
                   "event_id", "not itself answered")
    given(plan, retract(target))
    assert_refused(plan.submit(correct(target, status="on_track")), "event_id", "was retracted")
    assert_refused(plan.submit(retract(target)), "event_id", "was retracted")


def test_a_retraction_points_at_the_original(plan: CommandService, store: EventStore) -> None:
    """EventRetracted names the event, its stream and type, and the reason."""
    (recorded,) = given(plan, update(update_id="duplicate"))
    target = event_id(store, recorded)
    outcome = plan.submit(retract(target, "recorded twice"))
    assert written(store, outcome) == [EventRetracted(
        target_event_id=uuid.UUID(target), target_stream_id="update-duplicate",
        target_type="OperationalUpdateRecorded", reason="recorded twice")]
    assert from_recorded(store.read_stream("update-duplicate")[0]).event == written(
        store, recorded)[0]


def test_structure_is_corrected_but_never_retracted(
    plan: CommandService, store: EventStore
) -> None:
    """A theme's title can be mended; the theme cannot be taken back."""
    (defined,) = given(plan, cmd("DefineTheme", ADMIN, number=3, title="Safe guarding"))
    target = event_id(store, defined)
    given(plan, cmd("CorrectEvent", ADMIN, event_id=target, changes={"title": "Safeguarding"},
                    reason="typo"))
    assert plan.state.themes[3] == "Safeguarding"
    assert_refused(plan.submit(cmd("RetractEvent", ADMIN, event_id=target, reason="r")),
                   "event_id", "cannot be retracted")


def test_a_retracted_update_keeps_its_id(plan: CommandService, store: EventStore) -> None:
    """Ids are unique for ever: a retracted update's id is not reused."""
    (recorded,) = given(plan, update(update_id="girls-allowed"))
    given(plan, retract(event_id(store, recorded)))
    assert_refused(plan.submit(update(update_id="girls-allowed")), "update_id",
                   "already exists")
