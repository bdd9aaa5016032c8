"""Check 5: every role × every command type × own unit / other unit, against a table.

The table below is written out by hand from the permission rules in the design, not
derived from the code's policy table, so a change to either shows as a failing cell.
"""

from __future__ import annotations

from collections import Counter

from commands.service import CommandService
from eventstore import EventStore
from tests.reliability.examples import COMMAND_TYPES, example
from tests.reliability.figures import Figures
from tests.reliability.plan import ADMIN, AUDITOR, PERFORMANCE, first_admin, plan_commands, recorder

OWN, OTHER = "north", "south"
"""The recorder in the matrix records for north; "other unit" commands concern south."""
NOBODY = "visitor.no-role"

ROLES = {
    "admin": ADMIN,
    "performance": PERFORMANCE,
    "recorder": recorder(OWN),
    "auditor": AUDITOR,
    "no role": NOBODY,
}

STRUCTURE = {"DefineTheme", "DefineTopic", "RegisterUnit", "GrantRole", "RevokeRole"}
PLANNING = {"ScheduleMilestone", "RescheduleMilestone", "WithdrawMilestone",
            "DefineIndicator", "RecordIndicatorValue", "WriteQuarterOverview",
            "DefineStatusScale", "AdoptStatusScale"}
UNIT_WORK = {"ReportMilestoneProgress", "RecordTaskforceFormed", "RecordTaskforceChanged",
             "RecordUnitWentLive",
             "RecordAssetAcquired", "RecordRolloutCompleted", "RecordOperationalUpdate",
             "CorrectEvent", "RetractEvent"}


def allowed(role: str, command: str, unit: str) -> bool:
    """The design's permission table."""
    if role == "admin":
        return command in STRUCTURE
    if role == "performance":
        return command in PLANNING
    if role == "recorder":
        return command in UNIT_WORK and unit == OWN
    return False  # auditors submit nothing; an actor with no role neither


def test_the_permission_matrix(store: EventStore, figures: Figures) -> None:
    """Exactly the allowed cells succeed; every other is refused on actor, writing nothing."""
    assert set(COMMAND_TYPES) == STRUCTURE | PLANNING | UNIT_WORK
    first_admin(store)
    service = CommandService(store)
    for command in plan_commands():
        assert service.submit(command).accepted, command
    cells: Counter[str] = Counter()
    wrong: list[str] = []
    n = 0
    for role, actor in ROLES.items():
        for name in COMMAND_TYPES:
            for unit in (OWN, OTHER):
                n += 1
                built = example(name, n, unit)
                for setup in built.setup:
                    outcome = service.submit(setup)
                    assert outcome.accepted, outcome.describe()
                command = {**built.command, "actor": actor}
                before = store.head()
                outcome = service.submit(command)
                expected = allowed(role, name, unit)
                cell = f"{role} × {name} × {'own' if unit == OWN else 'other'} unit"
                if outcome.accepted != expected:
                    wrong.append(f"{cell}: {outcome.describe()}")
                    continue
                if expected:
                    cells["allowed"] += 1
                    assert outcome.first_position == before.position + 1
                    (event,) = store.read_all(from_position=outcome.first_position)
                    assert event.metadata["actor"] == actor
                    if role == "recorder":
                        assert event.metadata["unit"] == OWN
                else:
                    cells["refused"] += 1
                    assert outcome.field == "actor", f"{cell}: {outcome.describe()}"
                    assert store.head() == before, f"{cell} wrote something"
    assert not wrong, "\n".join(wrong)
    actors = {event.metadata["actor"] for event in store.read_all()}
    assert AUDITOR not in actors and NOBODY not in actors
    assert store.verify().ok
    figures.add(roles=len(ROLES), command_types=len(COMMAND_TYPES), units=2,
                cells=sum(cells.values()), allowed_and_accepted=cells["allowed"],
                refused_on_actor=cells["refused"],
                auditor_events=sum(1 for e in store.read_all()
                                   if e.metadata["actor"] == AUDITOR))
    print(figures)
