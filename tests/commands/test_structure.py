"""The plan's structure: themes, topics and units are unique and refer to what exists."""

from __future__ import annotations

import getpass
import socket

import pytest

from catalogue import RoleGranted, ThemeDefined, TopicDefined, UnitRegistered, from_recorded
from commands.errors import Refused
from commands.identity import direct, make_first_admin
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    ADMIN,
    AUDITOR,
    PERFORMANCE,
    VCTF_RECORDER,
    assert_refused,
    cmd,
    first_admin,
    head,
    written,
)


def test_on_an_empty_log_no_command_makes_an_admin(
    service: CommandService, store: EventStore
) -> None:
    """Given an empty log, when anyone grants themself admin (or anything else), then it
    is refused on actor and nothing is written: the first admin is the operator's act."""
    attempts = [
        cmd("GrantRole", ADMIN, actor=ADMIN, role="admin"),
        cmd("GrantRole", ADMIN, actor=ADMIN, role="performance"),
        cmd("GrantRole", ADMIN, actor="someone.else", role="admin"),
        cmd("DefineTheme", ADMIN, number=1, title="Introduction"),
    ]
    for attempt in attempts:
        outcome = service.submit(attempt)
        assert_refused(outcome, "actor", "no admin exists yet", "opslog init --admin")
        assert outcome.forbidden
    assert head(store) == 0


def test_the_operator_makes_the_first_admin_on_the_direct_channel(
    service: CommandService, store: EventStore
) -> None:
    """Given an empty log, when the operator names the first admin, then a RoleGranted is
    recorded with the operator's OS user and host, and that admin may act."""
    position = make_first_admin(store, ADMIN, direct())
    assert position == 1
    (recorded,) = store.read_stream(f"actor-{ADMIN}")
    assert from_recorded(recorded).event == RoleGranted(actor=ADMIN, role="admin")
    channel = recorded.metadata["channel"]
    assert channel == {"kind": "direct", "os_user": getpass.getuser(),
                       "host": socket.gethostname()}
    assert service.submit(cmd("DefineTheme", ADMIN, number=1, title="Introduction")).accepted


def test_once_an_admin_exists_no_one_else_is_made_admin_but_by_an_admin(
    service: CommandService, store: EventStore
) -> None:
    """Given an admin, when the operator names another first admin, then it is refused on
    admin; naming the same admin again writes nothing; an intruder granting themself admin
    is refused on actor."""
    first_admin(store)
    with pytest.raises(Refused) as refused:
        make_first_admin(store, "someone.else", direct())
    assert refused.value.field == "admin" and ADMIN in refused.value.reason
    assert make_first_admin(store, ADMIN, direct()) is None
    outcome = service.submit(cmd("GrantRole", "intruder", actor="intruder", role="admin"))
    assert_refused(outcome, "actor", "holds no role")
    assert head(store) == 1


def test_themes_and_topics_are_defined_once_under_a_theme_that_exists(
    plan: CommandService, store: EventStore
) -> None:
    """A theme number and a topic id are unique; a topic's theme must exist."""
    outcome = plan.submit(cmd("DefineTheme", ADMIN, number=3, title="Safeguarding"))
    assert written(store, outcome) == [ThemeDefined(number=3, title="Safeguarding")]
    assert_refused(plan.submit(cmd("DefineTheme", ADMIN, number=3, title="Again")),
                   "number", "theme 3 already exists")
    assert_refused(plan.submit(cmd("DefineTopic", ADMIN, topic_id="terror", theme=9,
                                   title="Terrorism")), "theme", "no theme 9")
    assert_refused(plan.submit(cmd("DefineTopic", ADMIN, topic_id="violent-crime", theme=2,
                                   title="Again")), "topic_id", "already exists")
    lead = plan.submit(cmd("DefineTopic", ADMIN, topic_id="bcus", theme=3, title="BCUs",
                           lead_in=True))
    assert written(store, lead) == [TopicDefined(topic_id="bcus", theme=3, title="BCUs",
                                                 lead_in=True)]


def test_a_bcu_lists_its_boroughs_and_other_units_do_not(
    plan: CommandService, store: EventStore
) -> None:
    """BCUs need boroughs; a taskforce with boroughs, or a BCU without, is refused."""
    west = plan.submit(cmd("RegisterUnit", ADMIN, unit_id="west", name="West BCU", kind="bcu",
                           boroughs=["Ealing", "Hounslow", "Hillingdon"], parent_unit="vctf"))
    assert written(store, west) == [UnitRegistered(
        unit_id="west", name="West BCU", kind="bcu",
        boroughs=["Ealing", "Hounslow", "Hillingdon"], parent_unit="vctf")]
    assert_refused(plan.submit(cmd("RegisterUnit", ADMIN, unit_id="east", name="East BCU",
                                   kind="bcu")), "boroughs", "lists its boroughs")
    assert_refused(plan.submit(cmd("RegisterUnit", ADMIN, unit_id="tf", name="TF",
                                   kind="taskforce", boroughs=["Ealing"])), "boroughs",
                   "only a BCU")
    assert_refused(plan.submit(cmd("RegisterUnit", ADMIN, unit_id="north", name="N", kind="bcu",
                                   boroughs=["Barnet", "barnet"])), "boroughs", "twice")
    assert_refused(plan.submit(cmd("RegisterUnit", ADMIN, unit_id="x", name="X",
                                   kind="command", parent_unit="nowhere")),
                   "parent_unit", "no unit 'nowhere'")
    assert_refused(plan.submit(cmd("RegisterUnit", ADMIN, unit_id="vctf", name="Again",
                                   kind="taskforce")), "unit_id", "already exists")


def test_roles_are_granted_once_and_recorders_name_a_unit_that_exists(
    plan: CommandService,
) -> None:
    """A recorder needs a registered unit; the same grant twice is refused."""
    assert_refused(plan.submit(cmd("GrantRole", ADMIN, actor="new.recorder", role="recorder")),
                   "unit_id", "name it")
    assert_refused(plan.submit(cmd("GrantRole", ADMIN, actor="new.recorder", role="recorder",
                                   unit_id="atlantis")), "unit_id", "no unit 'atlantis'")
    assert_refused(plan.submit(cmd("GrantRole", ADMIN, actor=VCTF_RECORDER, role="recorder",
                                   unit_id="vctf")), "role", "already recorder for vctf")
    second = plan.submit(cmd("GrantRole", ADMIN, actor=VCTF_RECORDER, role="recorder",
                             unit_id="south-west"))
    assert second.status is Status.ACCEPTED


def test_auditors_hold_no_other_role(plan: CommandService) -> None:
    """An auditor is granted nothing else, and nobody with a role becomes an auditor."""
    assert_refused(plan.submit(cmd("GrantRole", ADMIN, actor=AUDITOR, role="performance")),
                   "role", "auditors hold no other role")
    assert_refused(plan.submit(cmd("GrantRole", ADMIN, actor=PERFORMANCE, role="auditor")),
                   "role", "an auditor holds no other role")
