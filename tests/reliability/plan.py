"""A small plan the reliability checks write against: units, their recorders, milestones.

Every command is an envelope as a command file holds it, with a fixed id, so a check can
ask of the log which commands it holds.
"""

from __future__ import annotations

from typing import Any

from commands.identity import direct, make_first_admin
from eventstore import EventStore

ADMIN = "it.admin"
PERFORMANCE = "performance.analyst"
AUDITOR = "audit.reviewer"
UNITS = ("north", "south", "east", "west")
MILESTONES = {f"m-{unit}": unit for unit in UNITS}
"""Each milestone and the unit that owns it."""
TOPIC = "violent-crime"
TASKFORCE = "vctf"
INDICATOR = "total-notifiable-offences"


def recorder(unit: str) -> str:
    return f"recorder.{unit}"


def envelope(name: str, command_id: str, actor: str, /, **data: Any) -> dict[str, Any]:
    return {"command": name, "id": command_id, "actor": actor, "data": data}


def first_admin(store: EventStore) -> None:
    """The operator makes the plan's admin (``opslog init --admin``): no command can."""
    make_first_admin(store, ADMIN, direct())


def plan_commands() -> list[dict[str, Any]]:
    """One theme and topic, four BCUs with a recorder and a milestone each, a taskforce,
    and an indicator with two years' values; the admin is made first (`first_admin`)."""
    commands = [
        envelope("DefineTheme", "plan/theme", ADMIN, number=2, title="Tackling serious violence"),
        envelope("DefineTopic", "plan/topic", ADMIN, topic_id=TOPIC, theme=2,
                 title="Violent crime"),
        envelope("GrantRole", "plan/performance", ADMIN, actor=PERFORMANCE, role="performance"),
        envelope("GrantRole", "plan/auditor", ADMIN, actor=AUDITOR, role="auditor"),
    ]
    for unit in UNITS:
        commands.append(envelope("RegisterUnit", f"plan/unit/{unit}", ADMIN, unit_id=unit,
                                 name=f"{unit.title()} BCU", kind="bcu",
                                 boroughs=[f"{unit.title()} borough"]))
        commands.append(envelope("GrantRole", f"plan/recorder/{unit}", ADMIN,
                                 actor=recorder(unit), role="recorder", unit_id=unit))
    commands.append(envelope("RegisterUnit", "plan/unit/vctf", ADMIN, unit_id=TASKFORCE,
                             name="Violent Crime Taskforce", kind="taskforce"))
    commands.append(envelope("DefineIndicator", "plan/indicator", PERFORMANCE,
                             indicator_id=INDICATOR, name="Total notifiable offences",
                             measure="offences", better="lower"))
    for period, value in (("2016-17", "777458"), ("2017-18", "827225")):
        commands.append(envelope("RecordIndicatorValue", f"plan/value/{period}", PERFORMANCE,
                                 indicator_id=INDICATOR, period=period, value=value,
                                 source="MPS recorded crime", released_on="2018-04-01"))
    for milestone, unit in MILESTONES.items():
        commands.append(envelope("ScheduleMilestone", f"plan/milestone/{milestone}", PERFORMANCE,
                                 milestone_id=milestone, title=f"Milestone for {unit}",
                                 topic_id=TOPIC, due_quarter="2018-19-Q2", owner_unit=unit))
    return commands


def progress(command_id: str, milestone: str, status: str, narrative: str,
             as_of: str = "2018-06-30") -> dict[str, Any]:
    """A progress report on `milestone` by its owner's recorder, for 2018-19 Q1."""
    return envelope("ReportMilestoneProgress", command_id, recorder(MILESTONES[milestone]),
                    milestone_id=milestone, quarter="2018-19-Q1", status=status,
                    narrative=narrative, as_of=as_of)


def operational_update(command_id: str, unit: str, update_id: str,
                       title: str) -> dict[str, Any]:
    """A general operational update by `unit`'s recorder, with one counted fact."""
    return envelope("RecordOperationalUpdate", command_id, recorder(unit), update_id=update_id,
                    topic_id=TOPIC, unit_id=unit, title=title, effective_date="2018-06-01",
                    kind="other", narrative="Recorded under load.",
                    facts=[{"name": "officers", "kind": "count", "value": 12}])
