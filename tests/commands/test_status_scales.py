"""Status scales: defined as data, adopted from a quarter on, enforced on milestone status."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue import Quarter, StatusDef, StatusScaleAdopted, StatusScaleDefined
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
    written,
)
from tests.status_scales import DORSET, HAMPSHIRE, SCALES

Q1, Q2 = Quarter(2018, 1), Quarter(2018, 2)


@pytest.mark.parametrize("scale", SCALES, ids=[scale["scale_id"] for scale in SCALES])
def test_each_forces_scale_is_recorded_as_defined(
    plan: CommandService, store: EventStore, scale: dict[str, Any]
) -> None:
    """Given a plan, when a force's scale is defined, then StatusScaleDefined holds it whole."""
    outcome = plan.submit(cmd("DefineStatusScale", PERFORMANCE, **scale))
    assert written(store, outcome) == [StatusScaleDefined(
        scale_id=scale["scale_id"], name=scale["name"],
        statuses=[StatusDef(**status) for status in scale["statuses"]])]


def test_a_scale_is_refused_with_the_field_at_fault(plan: CommandService,
                                                    store: EventStore) -> None:
    """Unknown categories and symbols, a repeated status, a taken id: refused, nothing written."""
    before = head(store)
    bad_category = {**DORSET, "statuses": [{**DORSET["statuses"][0], "category": "finished"}]}
    outcome = plan.submit(cmd("DefineStatusScale", PERFORMANCE, **bad_category))
    assert not outcome.accepted and "statuses" in (outcome.field or "")
    assert "category" in (outcome.field or "") + (outcome.reason or "")
    bad_symbol = {**DORSET, "statuses": [{**DORSET["statuses"][0], "symbol": "🔵"}]}
    assert not plan.submit(cmd("DefineStatusScale", PERFORMANCE, **bad_symbol)).accepted
    twice = {**DORSET, "statuses": [DORSET["statuses"][0]] * 2}
    assert_refused(plan.submit(cmd("DefineStatusScale", PERFORMANCE, **twice)),
                   "statuses", "'blue' is listed twice")
    assert_refused(plan.submit(cmd("DefineStatusScale", PERFORMANCE,
                                   **{**DORSET, "scale_id": "default"})),
                   "scale_id", "built-in default")
    reserved = {**DORSET, "statuses": [{**DORSET["statuses"][0], "status": "withdrawn"}]}
    assert_refused(plan.submit(cmd("DefineStatusScale", PERFORMANCE, **reserved)),
                   "statuses", "'withdrawn' is a board state")
    assert head(store) == before
    given(plan, cmd("DefineStatusScale", PERFORMANCE, **DORSET))
    assert_refused(plan.submit(cmd("DefineStatusScale", PERFORMANCE, **DORSET)),
                   "scale_id", "already exists")


def test_adopting_needs_a_defined_scale(plan: CommandService, store: EventStore) -> None:
    """A plan adopts only a scale it has defined (or the default), named in the refusal."""
    assert_refused(plan.submit(cmd("AdoptStatusScale", PERFORMANCE, scale_id="dorset",
                                   from_quarter="2018-19-Q2")),
                   "scale_id", "no status scale 'dorset'", "default")
    given(plan, cmd("DefineStatusScale", PERFORMANCE, **DORSET))
    outcome = plan.submit(cmd("AdoptStatusScale", PERFORMANCE, scale_id="dorset",
                              from_quarter="2018-19-Q2"))
    assert written(store, outcome) == [StatusScaleAdopted(scale_id="dorset", from_quarter=Q2)]


def test_progress_takes_the_statuses_of_the_scale_in_force(plan: CommandService) -> None:
    """Given Dorset's scale from Q2, then Q1 takes the Met's statuses and Q2 only Dorset's, and
    a refusal names the field, the scale and every allowed status."""
    given(plan, cmd("DefineStatusScale", PERFORMANCE, **DORSET),
          cmd("AdoptStatusScale", PERFORMANCE, scale_id="dorset", from_quarter="2018-19-Q2"))
    assert_refused(plan.submit(progress("green")), "status",
                   "'green' is not a status of the 'default' scale", "2018-19-Q1",
                   "delivered, on_track, some_delay")
    given(plan, progress("on_track"))
    assert_refused(plan.submit(progress("on_track", quarter="2018-19-Q2", as_of="2018-07-10")),
                   "status", "'dorset' scale", "blue, green, yellow, red")
    given(plan, progress("green", quarter="2018-19-Q2", as_of="2018-07-10"))


def test_a_done_status_on_any_scale_is_final(plan: CommandService) -> None:
    """Hampshire's Completed is done: the milestone then takes no further status."""
    given(plan, cmd("DefineStatusScale", PERFORMANCE, **HAMPSHIRE),
          cmd("AdoptStatusScale", PERFORMANCE, scale_id="hampshire", from_quarter="2018-19-Q1"),
          progress("completed"))
    assert_refused(plan.submit(progress("current", quarter="2018-19-Q2", as_of="2018-07-10")),
                   "status", "was delivered in 2018-19-Q1")


def test_a_correction_of_status_is_checked_against_the_scale(plan: CommandService,
                                                              store: EventStore) -> None:
    """Correcting a Q1 status to one outside the scale in force is refused by field."""
    outcome = given(plan, progress("on_track"))[0]
    target = event_id(store, outcome)
    refused = plan.submit(cmd("CorrectEvent", VCTF_RECORDER, event_id=target,
                              changes={"status": "amber"}, reason="typo"))
    assert_refused(refused, "changes.status", "delivered, on_track, some_delay")


def test_no_adoption_reaches_back_over_recorded_reports(plan: CommandService) -> None:
    """Once Q1 has reports, a scale adopted from Q1 would reword them: refused."""
    given(plan, cmd("DefineStatusScale", PERFORMANCE, **DORSET), progress("on_track"))
    assert_refused(plan.submit(cmd("AdoptStatusScale", PERFORMANCE, scale_id="dorset",
                                   from_quarter="2018-19-Q1")),
                   "from_quarter", "already reported for 2018-19-Q1")
