"""Who may submit what: the role matrix, and the one rule that starts it.

| commands                                   | who                                      |
| ------------------------------------------ | ---------------------------------------- |
| DefineTheme, DefineTopic, RegisterUnit,    | admin                                    |
| GrantRole                                  |                                          |
| ScheduleMilestone, RescheduleMilestone,    | performance                              |
| WithdrawMilestone, DefineIndicator,        |                                          |
| RecordIndicatorValue, WriteQuarterOverview |                                          |
| ReportMilestoneProgress                    | recorder for the milestone's owner unit  |
| Record… (the five updates)                 | recorder for the update's unit_id        |
| CorrectEvent, RetractEvent                 | whoever may record the event they answer |

An auditor submits nothing, and holds no other role. Bootstrap: while no admin exists,
the only command anyone may submit is a GrantRole that makes its own actor admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from catalogue import (
    AssetAcquired,
    DomainEvent,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdateRecorded,
    QuarterOverviewWritten,
    RoleGranted,
    RolloutCompleted,
    TaskforceFormed,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
)
from commands.context import Context
from commands.definitions import (
    Command,
    CorrectEvent,
    DefineIndicator,
    DefineTheme,
    DefineTopic,
    GrantRole,
    RecordAssetAcquired,
    RecordIndicatorValue,
    RecordOperationalUpdate,
    RecordRolloutCompleted,
    RecordTaskforceFormed,
    RecordUnitWentLive,
    RegisterUnit,
    ReportMilestoneProgress,
    RescheduleMilestone,
    RetractEvent,
    ScheduleMilestone,
    WithdrawMilestone,
    WriteQuarterOverview,
)
from commands.errors import Refused
from commands.rules import references
from commands.state import Role, State

ADMIN, PERFORMANCE, RECORDER, AUDITOR = "admin", "performance", "recorder", "auditor"

UnitOf = Callable[[State, Any], str]


@dataclass(frozen=True, slots=True)
class Policy:
    """The role a command needs; for a recorder, how to find the unit it concerns."""

    role: str
    unit_of: UnitOf | None = None
    whose: str = ""

    def describe(self) -> str:
        return f"{self.role} {self.whose}".strip()


def _unit_named(state: State, subject: Any) -> str:
    return references.unit(state, subject.unit_id).unit_id


def _milestone_owner(state: State, subject: Any) -> str:
    return references.milestone(state, subject.milestone_id).owner_unit


STRUCTURE = Policy(ADMIN)
PLANNING = Policy(PERFORMANCE)
UPDATE = Policy(RECORDER, _unit_named, "for the update's unit_id")
PROGRESS = Policy(RECORDER, _milestone_owner, "for the milestone's owner unit")

POLICIES: dict[type[Command], Policy] = {
    DefineTheme: STRUCTURE,
    DefineTopic: STRUCTURE,
    RegisterUnit: STRUCTURE,
    GrantRole: STRUCTURE,
    ScheduleMilestone: PLANNING,
    RescheduleMilestone: PLANNING,
    WithdrawMilestone: PLANNING,
    DefineIndicator: PLANNING,
    RecordIndicatorValue: PLANNING,
    WriteQuarterOverview: PLANNING,
    ReportMilestoneProgress: PROGRESS,
    RecordTaskforceFormed: UPDATE,
    RecordUnitWentLive: UPDATE,
    RecordAssetAcquired: UPDATE,
    RecordRolloutCompleted: UPDATE,
    RecordOperationalUpdate: UPDATE,
}

RECORDED_BY: dict[type[DomainEvent], Policy] = {
    ThemeDefined: STRUCTURE,
    TopicDefined: STRUCTURE,
    UnitRegistered: STRUCTURE,
    RoleGranted: STRUCTURE,
    MilestoneScheduled: PLANNING,
    MilestoneRescheduled: PLANNING,
    MilestoneWithdrawn: PLANNING,
    IndicatorDefined: PLANNING,
    IndicatorValueRecorded: PLANNING,
    QuarterOverviewWritten: PLANNING,
    MilestoneProgressReported: PROGRESS,
    TaskforceFormed: UPDATE,
    UnitWentLive: UPDATE,
    AssetAcquired: UPDATE,
    RolloutCompleted: UPDATE,
    OperationalUpdateRecorded: UPDATE,
}
"""A correction or retraction needs what recording the original needed."""

ANSWERS = "whoever may record the event it answers"


def describe(command_class: type[Command]) -> str:
    """Who may submit commands of this class, in words for ``opslog commands``."""
    policy = POLICIES.get(command_class)
    return policy.describe() if policy is not None else ANSWERS


def authorise(state: State, actor: str, command: Command, context: Context) -> str | None:
    """The unit `actor` acts for in submitting `command`, or `Refused` naming ``actor``."""
    if isinstance(command, GrantRole) and not state.has_admin():
        _bootstrap(actor, command)
        return None
    roles = state.roles_of(actor)
    if not roles:
        raise Refused("actor", f"{actor!r} holds no role: an admin must grant one first")
    if any(role.role == AUDITOR for role in roles):
        raise Refused("actor", f"{actor!r} is an auditor, and auditors submit nothing")
    policy, subject = _policy(command, context)
    if policy.unit_of is None:
        for role in sorted(roles):
            if role.role == policy.role:
                return role.unit_id
        raise Refused("actor", f"{command.command_type} needs the {policy.role} role; "
                      f"{actor!r} is {_listed(roles)}")
    unit = policy.unit_of(state, subject)
    if Role(RECORDER, unit) in roles:
        return unit
    own = sorted(str(role.unit_id) for role in roles if role.role == RECORDER)
    if own:
        raise Refused("actor", f"{actor!r} records for {', '.join(own)}, not for {unit}")
    raise Refused("actor", f"{command.command_type} needs a recorder for {unit}; "
                  f"{actor!r} is {_listed(roles)}")


def _policy(command: Command, context: Context) -> tuple[Policy, Any]:
    if isinstance(command, CorrectEvent | RetractEvent):
        target = context.target
        if target is None:
            raise Refused("event_id", "no such event is recorded")
        policy = RECORDED_BY.get(type(target.event))
        if policy is None:
            raise Refused("event_id", f"a {target.event.type_name} event cannot be answered")
        return policy, target.event
    return POLICIES[type(command)], command


def _bootstrap(actor: str, command: GrantRole) -> None:
    """On a log with no admin, an actor may make themself admin, and do nothing else."""
    if command.role == ADMIN and command.actor == actor and command.unit_id is None:
        return
    raise Refused("actor", "no admin exists yet: the first grant must make its own actor admin "
                  f"(actor {actor!r} granting role admin to {actor!r})")


def _listed(roles: Iterable[Role]) -> str:
    return ", ".join(str(role) for role in sorted(roles))
