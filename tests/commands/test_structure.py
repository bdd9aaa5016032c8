"""The plan's structure: themes, topics and units are unique and refer to what exists."""

from __future__ import annotations

from catalogue import RoleGranted, ThemeDefined, TopicDefined, UnitRegistered
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
    given,
    head,
    written,
)


def test_the_first_command_on_an_empty_log_may_make_its_actor_admin(
    service: CommandService, store: EventStore
) -> None:
    """Bootstrap: with no admin yet, an actor may grant the admin role to themself."""
    outcome = service.submit(cmd("GrantRole", ADMIN, actor=ADMIN, role="admin"))
    assert outcome.status is Status.ACCEPTED
    assert written(store, outcome) == [RoleGranted(actor=ADMIN, role="admin")]
    (recorded,) = store.read_stream(f"actor-{ADMIN}")
    assert recorded.metadata["actor"] == ADMIN


def test_without_an_admin_nothing_else_may_be_submitted(
    service: CommandService, store: EventStore
) -> None:
    """Bootstrap is narrow: not another role, not admin for someone else, not a theme."""
    attempts = [
        cmd("GrantRole", ADMIN, actor=ADMIN, role="performance"),
        cmd("GrantRole", ADMIN, actor="someone.else", role="admin"),
        cmd("DefineTheme", ADMIN, number=1, title="Introduction"),
    ]
    assert_refused(service.submit(attempts[0]), "actor", "no admin exists yet")
    assert_refused(service.submit(attempts[1]), "actor", "no admin exists yet")
    assert_refused(service.submit(attempts[2]), "actor", "holds no role")
    assert head(store) == 0


def test_once_an_admin_exists_bootstrap_is_closed(service: CommandService) -> None:
    """A second actor cannot make themself admin once there is one."""
    given(service, cmd("GrantRole", ADMIN, actor=ADMIN, role="admin"))
    outcome = service.submit(cmd("GrantRole", "intruder", actor="intruder", role="admin"))
    assert_refused(outcome, "actor", "holds no role")


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
