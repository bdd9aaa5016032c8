"""Who may submit what: the roles, the policies built from them, and the rule that applies one.

Each command's registry entry names its policy (``opslog commands`` prints it as ``who:``):
the plan's structure needs an admin, planning needs performance, a milestone's progress
and an update need a recorder for the unit concerned, and a correction or retraction needs
whoever may record the event it answers. An auditor submits nothing, and holds no other
role. While no admin exists, only a policy with a `bootstrap` lets anything through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from commands.command import Command
from commands.context import Context
from commands.errors import Refused
from commands.write_model.state import Role, State

ADMIN, PERFORMANCE, RECORDER, AUDITOR = "admin", "performance", "recorder", "auditor"

UnitOf = Callable[[State, Any], str]
Bootstrap = Callable[[str, Any], None]


@dataclass(frozen=True, slots=True)
class Policy:
    """The role a command needs; for a recorder, how to find the unit it concerns."""

    role: str
    unit_of: UnitOf | None = None
    whose: str = ""
    bootstrap: Bootstrap | None = None
    """On a log with no admin yet, refuses the command or lets it through without a role."""

    def describe(self) -> str:
        return f"{self.role} {self.whose}".strip()


STRUCTURE = Policy(ADMIN)
PLANNING = Policy(PERFORMANCE)
AS_ANSWERED = Policy("", whose="whoever may record the event it answers")
"""A correction or retraction needs what recording the original needed."""


def authorise(state: State, actor: str, policy: Policy, command: Command,
              context: Context) -> str | None:
    """The unit `actor` acts for in submitting `command` under `policy`, or `Refused`
    naming ``actor``."""
    if policy.bootstrap is not None and not state.has_admin():
        policy.bootstrap(actor, command)
        return None
    roles = state.roles_of(actor)
    if not roles:
        raise Refused("actor", f"{actor!r} holds no role: an admin must grant one first")
    if any(role.role == AUDITOR for role in roles):
        raise Refused("actor", f"{actor!r} is an auditor, and auditors submit nothing")
    policy, subject = _applied(policy, command, context)
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


def _applied(policy: Policy, command: Command, context: Context) -> tuple[Policy, Any]:
    """The policy that decides and what it looks at: the command itself, or for an answer
    the answered event under its recording command's policy."""
    if policy is not AS_ANSWERED:
        return policy, command
    target = context.target
    if target is None:
        raise Refused("event_id", "no such event is recorded")
    if target.recorded_by is None:
        raise Refused("event_id", f"a {target.event.type_name} event cannot be answered")
    return target.recorded_by.permission, target.event


def _listed(roles: Iterable[Role]) -> str:
    return ", ".join(str(role) for role in sorted(roles))
