"""Who may submit what: the roles, the policies built from them, and the rule that applies one.

Each command's registry entry names its policy (``opslog commands`` prints it as ``who:``):
the plan's structure needs an admin, planning needs performance, a milestone's progress
and an update need a recorder for the unit concerned, and a correction or retraction needs
whoever may record the event it answers. An auditor submits nothing, and holds no other
role. No command makes the first admin: the operator does (``opslog init --admin``,
`commands.identity.make_first_admin`), so on a log without one every command is refused.

Acts that are not commands (publishing a quarter, taking a snapshot, tokens, importing a
log) are guarded by `require`, which the CLI and the HTTP service both call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from commands.command import Command
from commands.context import Context
from commands.errors import Forbidden, Refused
from commands.write_model.state import Role, State
from eventstore import EventStore

ADMIN, PERFORMANCE, RECORDER, AUDITOR = "admin", "performance", "recorder", "auditor"

ROLES = (ADMIN, PERFORMANCE, RECORDER, AUDITOR)

ACTS: dict[str, tuple[frozenset[str], str]] = {
    "tokens": (frozenset({ADMIN}), "issue, list or revoke tokens"),
    "import": (frozenset({ADMIN}), "import events into the log"),
    "erase": (frozenset({ADMIN}), "erase a recorded value"),
    "publish": (frozenset({ADMIN, PERFORMANCE}), "publish a quarter's update"),
    "snapshot": (frozenset({ADMIN, PERFORMANCE}), "take a snapshot of a quarter"),
    "read": (frozenset(ROLES), "read the board, the report and the log"),
}
"""Each act that is not a command: the roles that may do it, and what it is."""

UnitOf = Callable[[State, Any], str]


@dataclass(frozen=True, slots=True)
class Policy:
    """The role a command needs; for a recorder, how to find the unit it concerns."""

    role: str
    unit_of: UnitOf | None = None
    whose: str = ""

    def describe(self) -> str:
        return f"{self.role} {self.whose}".strip()


STRUCTURE = Policy(ADMIN)
PLANNING = Policy(PERFORMANCE)
AS_ANSWERED = Policy("", whose="whoever may record the event it answers")
"""A correction or retraction needs what recording the original needed."""


def authorise(state: State, actor: str, policy: Policy, command: Command,
              context: Context) -> str | None:
    """The unit `actor` acts for in submitting `command` under `policy`, or `Forbidden`
    naming ``actor``."""
    roles = state.roles_of(actor)
    if not roles and not state.has_admin():
        raise Forbidden("actor", "no admin exists yet: the operator makes the first with "
                      "`opslog init --admin NAME`")
    if not roles:
        raise Forbidden("actor", f"{actor!r} holds no role: an admin must grant one first")
    if any(role.role == AUDITOR for role in roles):
        raise Forbidden("actor", f"{actor!r} is an auditor, and auditors submit nothing")
    policy, subject = _applied(policy, command, context)
    if policy.unit_of is None:
        for role in sorted(roles):
            if role.role == policy.role:
                return role.unit_id
        raise Forbidden("actor", f"{command.command_type} needs the {policy.role} role; "
                      f"{actor!r} is {_listed(roles)}")
    unit = policy.unit_of(state, subject)
    if Role(RECORDER, unit) in roles:
        return unit
    own = sorted(str(role.unit_id) for role in roles if role.role == RECORDER)
    if own:
        raise Forbidden("actor", f"{actor!r} records for {', '.join(own)}, not for {unit}")
    raise Forbidden("actor", f"{command.command_type} needs a recorder for {unit}; "
                  f"{actor!r} is {_listed(roles)}")


def require(source: EventStore | State, actor: str, act: str) -> Role:
    """The role that lets `actor` do `act` (a key of `ACTS`) as the log stands now, or
    `Forbidden` naming ``actor``. `source` is a store (its roles are read) or a write
    model the caller keeps."""
    roles_for, what = ACTS[act]
    if isinstance(source, State):
        state = source
    else:
        from commands.identity.roles import roles_now

        state = roles_now(source)
    held = state.roles_of(actor)
    for role in sorted(held):
        if role.role in roles_for:
            return role
    needed = " or ".join(sorted(roles_for))
    if not held:
        raise Forbidden("actor", f"{actor!r} holds no role; to {what} needs {needed}")
    raise Forbidden("actor", f"to {what} needs {needed}; {actor!r} is {_listed(held)}")


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
