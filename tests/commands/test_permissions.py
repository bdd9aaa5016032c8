"""The permission matrix: each command is accepted from exactly the actors who may send it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    ADMIN,
    AUDITOR,
    PERFORMANCE,
    SOUTH_WEST_RECORDER,
    VCTF_RECORDER,
    assert_refused,
    cmd,
    event_id,
    given,
    head,
    progress,
    update,
)

NOBODY = "no.roles"
ACTORS = (ADMIN, PERFORMANCE, VCTF_RECORDER, SOUTH_WEST_RECORDER, AUDITOR, NOBODY)

Case = Callable[[CommandService, EventStore], dict[str, Any]]


def _value(service: CommandService, store: EventStore) -> dict[str, Any]:
    given(service, cmd("DefineIndicator", PERFORMANCE, indicator_id="tno",
                       name="Total notifiable offences", measure="offences", better="lower"))
    return cmd("RecordIndicatorValue", None, indicator_id="tno", period="2017-18",
               value="827225", source="MPS", released_on="2018-04-30")


def _correct_progress(service: CommandService, store: EventStore) -> dict[str, Any]:
    (reported,) = given(service, progress("on_track"))
    return cmd("CorrectEvent", None, event_id=event_id(store, reported),
               changes={"status": "some_delay"}, reason="the recruitment slipped")


def _retract_update(service: CommandService, store: EventStore) -> dict[str, Any]:
    (recorded,) = given(service, update("RecordOperationalUpdate", SOUTH_WEST_RECORDER,
                                        unit_id="south-west"))
    return cmd("RetractEvent", None, event_id=event_id(store, recorded),
               reason="recorded under the wrong BCU")


def _correct_theme(service: CommandService, store: EventStore) -> dict[str, Any]:
    (defined,) = given(service, cmd("DefineTheme", ADMIN, number=3, title="Safe guarding"))
    return cmd("CorrectEvent", None, event_id=event_id(store, defined),
               changes={"title": "Safeguarding"}, reason="typo")


def _correct_value(service: CommandService, store: EventStore) -> dict[str, Any]:
    envelope = _value(service, store)
    envelope["actor"] = PERFORMANCE
    (recorded,) = given(service, envelope)
    return cmd("CorrectEvent", None, event_id=event_id(store, recorded),
               changes={"value": "827226"}, reason="keyed wrongly")


def _taskforce_change(service: CommandService, store: EventStore) -> dict[str, Any]:
    given(service, update("RecordTaskforceFormed", VCTF_RECORDER, effective_date="2018-04-01",
                          taskforce_unit="vctf", officers=150, teams=8,
                          funding_source="Mayor of London"))
    return update("RecordTaskforceChanged", None, effective_date="2018-06-17",
                  taskforce_unit="vctf", officers=272)


def _simple(envelope: dict[str, Any]) -> Case:
    return lambda service, store: envelope


CASES: dict[str, tuple[Case, str]] = {
    "DefineTheme": (_simple(cmd("DefineTheme", None, number=3, title="Safeguarding")), ADMIN),
    "DefineTopic": (_simple(cmd("DefineTopic", None, topic_id="terrorism", theme=2,
                                title="Terrorism")), ADMIN),
    "RegisterUnit": (_simple(cmd("RegisterUnit", None, unit_id="west", name="West BCU",
                                 kind="bcu", boroughs=["Ealing"])), ADMIN),
    "GrantRole": (_simple(cmd("GrantRole", None, actor="new.analyst", role="performance")),
                  ADMIN),
    "ScheduleMilestone": (_simple(cmd("ScheduleMilestone", None, milestone_id="esb",
                                      title="ESB acquired", topic_id="estates",
                                      due_quarter="2018-19-Q1", owner_unit="mopac")),
                          PERFORMANCE),
    "ReportMilestoneProgress": (_simple({**progress(), "actor": None}), VCTF_RECORDER),
    "RescheduleMilestone": (_simple(cmd("RescheduleMilestone", None, milestone_id="vctf",
                                        to_quarter="2018-19-Q2", reason="recruitment")),
                            PERFORMANCE),
    "WithdrawMilestone": (_simple(cmd("WithdrawMilestone", None, milestone_id="vctf",
                                      reason="superseded")), PERFORMANCE),
    "RecordTaskforceFormed": (_simple(update("RecordTaskforceFormed", None,
                                             taskforce_unit="vctf", officers=150, teams=8,
                                             funding_source="Mayor of London")), VCTF_RECORDER),
    "RecordTaskforceChanged": (_taskforce_change, VCTF_RECORDER),
    "RecordUnitWentLive": (_simple(update("RecordUnitWentLive", None, unit_id="south-west",
                                          live_unit="south-west", boroughs=["Kingston"])),
                           SOUTH_WEST_RECORDER),
    "RecordAssetAcquired": (_simple(update("RecordAssetAcquired", None, asset="Building",
                                           acquirer="mopac", price="250000000")),
                            VCTF_RECORDER),
    "RecordRolloutCompleted": (_simple(update("RecordRolloutCompleted", None, system="IVMA",
                                              count_installed=1200)), VCTF_RECORDER),
    "RecordOperationalUpdate": (_simple(update("RecordOperationalUpdate", None,
                                               unit_id="south-west")), SOUTH_WEST_RECORDER),
    "DefineIndicator": (_simple(cmd("DefineIndicator", None, indicator_id="knife-crime",
                                    name="Knife crime offences", measure="offences",
                                    better="lower")), PERFORMANCE),
    "RecordIndicatorValue": (_value, PERFORMANCE),
    "WriteQuarterOverview": (_simple(cmd("WriteQuarterOverview", None, quarter="2018-19-Q1",
                                         paragraphs=[{"text": "In Quarter 1 …"}])),
                             PERFORMANCE),
    "CorrectEvent (progress)": (_correct_progress, VCTF_RECORDER),
    "RetractEvent (update)": (_retract_update, SOUTH_WEST_RECORDER),
    "CorrectEvent (theme)": (_correct_theme, ADMIN),
    "CorrectEvent (indicator value)": (_correct_value, PERFORMANCE),
}


@pytest.mark.parametrize("case", list(CASES))
def test_only_the_permitted_actor_may_submit(
    plan: CommandService, store: EventStore, case: str
) -> None:
    """Every other actor is refused naming `actor` and writes nothing; the permitted one records."""
    build, allowed = CASES[case]
    envelope = build(plan, store)
    before = head(store)
    for actor in ACTORS:
        if actor == allowed:
            continue
        attempt = {**envelope, "actor": actor, "id": f"{envelope['id']}/{actor}"}
        assert_refused(plan.submit(attempt), "actor")
    assert head(store) == before
    outcome = plan.submit({**envelope, "actor": allowed})
    assert outcome.status is Status.ACCEPTED, outcome.describe()


def test_an_auditor_is_told_why(plan: CommandService) -> None:
    """The refusal says auditors submit nothing."""
    assert_refused(plan.submit(progress(actor=AUDITOR)), "actor", "auditors submit nothing")


def test_a_recorder_is_told_whose_unit_it_is(plan: CommandService) -> None:
    """A recorder for another unit is told which unit they record for."""
    outcome = plan.submit(progress(actor=SOUTH_WEST_RECORDER))
    assert_refused(outcome, "actor", "records for south-west, not for vctf")


@pytest.mark.parametrize(("actor", "unit"), [(VCTF_RECORDER, "vctf"), (PERFORMANCE, None)])
def test_every_event_names_the_actor_their_unit_and_the_command(
    plan: CommandService, store: EventStore, actor: str, unit: str | None
) -> None:
    """Metadata holds the actor, the unit acted for, the command's id and type, and its hash."""
    envelope = progress(actor=actor) if unit else cmd(
        "WithdrawMilestone", actor, reason="superseded", milestone_id="vctf")
    outcome = plan.submit(envelope)
    assert outcome.first_position is not None
    (recorded,) = store.read_all(from_position=outcome.first_position)
    assert recorded.metadata["actor"] == actor
    assert recorded.metadata["unit"] == unit
    assert recorded.metadata["command_id"] == envelope["id"]
    assert recorded.metadata["command_type"] == envelope["command"]
    assert recorded.metadata["causation_id"] == envelope["id"]
    assert len(recorded.metadata["command_hash"]) == 64
