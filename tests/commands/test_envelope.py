"""Bad input is refused at the boundary, naming the field, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue.schemas.structure import ACTOR
from commands.envelope import ACTOR_ID
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import ADMIN, VCTF_RECORDER, assert_refused, cmd, head, progress

UPDATE = {
    "update_id": "girls-allowed", "topic_id": "violent-crime", "unit_id": "vctf",
    "title": "Girls Allowed event", "effective_date": "2018-06-01", "kind": "other",
}

BAD_ENVELOPES: list[tuple[Any, str, str]] = [
    ([1, 2], "command", "JSON object"),
    ({"id": "x", "data": {}}, "command", "required"),
    ({"command": "ReportMilestoneProgres", "id": "x", "data": {}}, "command",
     "did you mean ReportMilestoneProgress"),
    ({"command": "LaunchRocket", "id": "x", "data": {}}, "command", "unknown command"),
    ({"command": "DefineTheme", "data": {"number": 1, "title": "t"}}, "id", "required"),
    ({"command": "DefineTheme", "id": "has space", "data": {}}, "id", "no spaces"),
    ({"command": "DefineTheme", "id": "x", "actor": "Bad Actor", "data": {}}, "actor",
     "lowercase"),
    ({"command": "DefineTheme", "id": "x"}, "data", "required"),
    ({"command": "DefineTheme", "id": "x", "data": {}, "when": "now"}, "when",
     "not part of a command"),
]


@pytest.mark.parametrize(("envelope", "field", "words"), BAD_ENVELOPES)
def test_malformed_envelopes_are_refused_naming_the_field(
    plan: CommandService, store: EventStore, envelope: Any, field: str, words: str
) -> None:
    """An envelope without a known command, an id or data is refused with the field."""
    before = head(store)
    outcome = plan.submit(envelope, actor=ADMIN)
    assert_refused(outcome, field, words)
    assert head(store) == before


BAD_DATA: list[tuple[str, dict[str, Any], str, str]] = [
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-19-Q1",
                                 "status": "on_track", "as_of": "2018-06-30"},
     "narrative", "is required"),
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-19-Q5",
                                 "status": "on_track", "narrative": "n", "as_of": "2018-06-30"},
     "quarter", "not a quarter"),
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-20-Q1",
                                 "status": "on_track", "narrative": "n", "as_of": "2018-06-30"},
     "quarter", "does not follow"),
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-19-Q1",
                                 "status": "done", "narrative": "n", "as_of": "2018-06-30"},
     "status", "allowed: delivered, on_track, some_delay"),
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-19-Q1",
                                 "status": "on_track", "narrative": "n", "as_of": "2018-02-30"},
     "as_of", "real date"),
    ("ReportMilestoneProgress", {"milestone_id": "vctf", "quarter": "2018-19-Q1",
                                 "status": "on_track", "narrative": "n", "as_of": "2018-06-30",
                                 "colour": "green"},
     "colour", "not a field"),
    ("RecordTaskforceFormed", {**{k: v for k, v in UPDATE.items() if k != "kind"},
                               "taskforce_unit": "vctf", "officers": -150, "teams": 8,
                               "funding_source": "Mayor"},
     "officers", "at least 0"),
    ("RecordOperationalUpdate", {**UPDATE, "facts": [{"name": "people", "kind": "count",
                                                      "value": 400.5}]},
     "facts.0.value", "whole number"),
    ("RecordOperationalUpdate", {**UPDATE, "facts": [{"name": "share", "kind": "percent",
                                                      "value": "120"}]},
     "facts.0.value", "between 0 and 100"),
    ("RecordOperationalUpdate", {**UPDATE, "facts": [{"name": "cost", "kind": "money",
                                                      "value": 4000000.0}]},
     "facts.0.value", "exact"),
    ("RecordOperationalUpdate", {**UPDATE, "effective_date": "1 June 2018"},
     "effective_date", "real date"),
    ("RecordAssetAcquired", {**{k: v for k, v in UPDATE.items() if k != "kind"},
                             "asset": "ESB", "acquirer": "mopac", "price": 250000000.0},
     "price", "exact"),
    ("RecordRolloutCompleted", {**{k: v for k, v in UPDATE.items() if k != "kind"},
                                "system": "IVMA", "count_installed": -1},
     "count_installed", "at least 0"),
    ("RecordIndicatorValue", {"indicator_id": "tno", "period": "2017-18", "value": 827225.0,
                              "source": "MPS", "released_on": "2018-04-30"},
     "value", "not a float"),
    ("RecordIndicatorValue", {"indicator_id": "tno", "period": "2017/18 Q7", "value": "1",
                              "source": "MPS", "released_on": "2018-04-30"},
     "period", "not a period"),
]


@pytest.mark.parametrize(("name", "data", "field", "words"), BAD_DATA)
def test_mistyped_or_missing_fields_are_refused_naming_the_field(
    plan: CommandService, store: EventStore, name: str, data: dict[str, Any], field: str,
    words: str,
) -> None:
    """Missing fields, wrong quarters, unreal dates, floats for money, negative counts."""
    before = head(store)
    outcome = plan.submit(cmd(name, VCTF_RECORDER, **data))
    assert_refused(outcome, field, words)
    assert head(store) == before


def test_every_problem_is_listed_not_only_the_first(plan: CommandService) -> None:
    """A command with several bad fields names each of them."""
    outcome = plan.submit(cmd("ReportMilestoneProgress", VCTF_RECORDER, milestone_id="vctf",
                              quarter="Q1", status="Done!", as_of="yesterday"))
    fields = {field for field, _ in outcome.problems}
    assert fields == {"quarter", "status", "as_of", "narrative"}


def test_a_command_needs_an_actor(plan: CommandService, store: EventStore) -> None:
    """Without an actor in the envelope or from the caller the command is refused."""
    envelope = progress()
    del envelope["actor"]
    before = head(store)
    assert_refused(plan.submit(envelope), "actor", "required")
    assert plan.submit(envelope, actor=VCTF_RECORDER).status is Status.ACCEPTED
    assert head(store) == before + 1


def test_a_command_naming_another_actor_than_its_submitter_is_forbidden(
    plan: CommandService, store: EventStore
) -> None:
    """Given a plan, when the admin submits a progress report whose body names the VCTF
    recorder, then it is refused as forbidden on actor and nothing is written: who acts
    is the caller's (the token's, ``--actor``), never what the command says."""
    before = head(store)
    outcome = plan.submit(progress(actor=VCTF_RECORDER), actor=ADMIN)
    assert_refused(outcome, "actor", repr(VCTF_RECORDER), repr(ADMIN))
    assert outcome.forbidden
    assert head(store) == before


def test_a_command_naming_its_own_submitter_or_no_one_acts_as_the_submitter(
    plan: CommandService, store: EventStore
) -> None:
    """The body may repeat the submitter's actor or leave it out; without a caller's
    actor (a command file on the operator's channel) the body's actor acts."""
    assert plan.submit(progress(actor=VCTF_RECORDER), actor=VCTF_RECORDER).accepted
    unnamed = progress(as_of="2018-06-29")
    del unnamed["actor"]
    outcome = plan.submit(unnamed, actor=VCTF_RECORDER)
    assert outcome.status is Status.ACCEPTED
    (event,) = store.read_all(from_position=outcome.first_position)
    assert event.metadata["actor"] == VCTF_RECORDER
    assert plan.submit(progress(as_of="2018-06-28")).accepted


def test_actor_ids_follow_the_catalogue() -> None:
    """The envelope's actor pattern is the one RoleGranted accepts."""
    assert ACTOR_ID.pattern == ACTOR.regex.pattern
