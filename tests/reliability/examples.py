"""A valid command of every type, about a chosen unit, with whatever it needs recorded first.

`example(name, n, unit)` returns the setup commands (each by an actor allowed to send it)
and the command itself, sent by an actor allowed to send it. `n` keeps ids fresh, so the
same type can be exampled many times on one log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commands.registry import COMMANDS
from commands.service import EVENT_IDS
from tests.reliability.plan import (
    ADMIN,
    INDICATOR,
    PERFORMANCE,
    TASKFORCE,
    TOPIC,
    envelope,
    recorder,
)

Envelope = dict[str, Any]


@dataclass
class Example:
    command: Envelope
    setup: list[Envelope] = field(default_factory=list)


def event_id_of(command_id: str, index: int = 0) -> str:
    """The id the service gives event `index` of the command with `command_id`."""
    return str(uuid.uuid5(EVENT_IDS, f"{command_id}/{index}"))


def _structure(name: str, n: int, unit: str) -> Example:
    data: dict[str, dict[str, Any]] = {
        "DefineTheme": {"number": 3 + n % 97, "title": f"Theme {n}"},
        "DefineTopic": {"topic_id": f"topic-{n}", "theme": 2, "title": f"Topic {n}"},
        "RegisterUnit": {"unit_id": f"unit-{n}", "name": f"Team {n}", "kind": "team",
                         "parent_unit": unit},
        "GrantRole": {"actor": f"actor.{n}", "role": "recorder", "unit_id": unit},
    }
    return Example(envelope(name, f"x/{n}", ADMIN, **data[name]))


def _revoke(name: str, n: int, unit: str) -> Example:
    """A recorder's role granted, then revoked."""
    role = {"actor": f"actor.{n}", "role": "recorder", "unit_id": unit}
    return Example(envelope(name, f"x/{n}", ADMIN, **role),
                   [envelope("GrantRole", f"x/{n}/grant", ADMIN, **role)])


def _schedule(command_id: str, milestone: str, unit: str) -> Envelope:
    return envelope("ScheduleMilestone", command_id, PERFORMANCE, milestone_id=milestone,
                    title=f"Milestone {milestone}", topic_id=TOPIC, due_quarter="2018-19-Q2",
                    owner_unit=unit)


def _planning(name: str, n: int, unit: str) -> Example:
    command_id = f"x/{n}"
    if name == "ScheduleMilestone":
        return Example(_schedule(command_id, f"ms-{n}", unit))
    if name in ("RescheduleMilestone", "WithdrawMilestone"):
        milestone = f"ms-{n}"
        setup = [_schedule(f"x/{n}/setup", milestone, unit)]
        if name == "RescheduleMilestone":
            return Example(envelope(name, command_id, PERFORMANCE, milestone_id=milestone,
                                    to_quarter="2018-19-Q3", reason="funding moved"), setup)
        return Example(envelope(name, command_id, PERFORMANCE, milestone_id=milestone,
                                reason="no longer a commitment"), setup)
    data: dict[str, dict[str, Any]] = {
        "DefineIndicator": {"indicator_id": f"ind-{n}", "name": f"Indicator {n}",
                            "measure": "offences", "better": "lower"},
        "RecordIndicatorValue": {"indicator_id": INDICATOR, "period": "2018-19",
                                 "value": str(800_000 + n), "source": "MPS recorded crime",
                                 "released_on": "2018-07-01",
                                 "reason": f"release {n} restates the last"},
        "WriteQuarterOverview": {"quarter": "2018-19-Q1", "introduction": [f"Overview {n}."],
                                 "paragraphs": [{"text": "Crime rose {1}.", "figures": [
                                     {"indicator_id": INDICATOR, "from_period": "2016-17",
                                      "to_period": "2017-18"}]}]},
    }
    return Example(envelope(name, command_id, PERFORMANCE, **data[name]))


def _scale_data(n: int) -> dict[str, Any]:
    """A scale that keeps the statuses the other examples report in (a fuzzed adoption may
    put it in force on the shared log)."""
    return {"scale_id": f"scale-{n}", "name": f"Scale {n}", "statuses": [
        {"status": "on_track", "label": "On track", "symbol": "circle", "colour": "#1a9641",
         "category": "in_progress"},
        {"status": "some_delay", "label": "Some delay", "symbol": "wrench",
         "colour": "#b35806", "category": "at_risk"},
        {"status": "done", "label": "Done", "symbol": "tick", "colour": "#1b7837",
         "category": "done"}]}


def _scales(name: str, n: int, unit: str) -> Example:
    """A scale defined; or defined, then adopted from a quarter no example reports on."""
    if name == "DefineStatusScale":
        return Example(envelope(name, f"x/{n}", PERFORMANCE, **_scale_data(n)))
    setup = [envelope("DefineStatusScale", f"x/{n}/setup", PERFORMANCE, **_scale_data(n))]
    return Example(envelope(name, f"x/{n}", PERFORMANCE, scale_id=f"scale-{n}",
                            from_quarter="2029-30-Q1"), setup)


def _progress(command_id: str, unit: str, narrative: str) -> Envelope:
    return envelope("ReportMilestoneProgress", command_id, recorder(unit),
                    milestone_id=f"m-{unit}", quarter="2018-19-Q1", status="on_track",
                    narrative=narrative, as_of="2018-06-30")


def _update(name: str, n: int, unit: str) -> Example:
    data: dict[str, Any] = {
        "update_id": f"up-{n}", "topic_id": TOPIC, "unit_id": unit, "title": f"Update {n}",
        "effective_date": "2018-05-01", "narrative": "In May, the BCU went live.",
        "facts": [{"name": "officers", "kind": "count", "value": 150, "unit": "officers"}],
    }
    own: dict[str, dict[str, Any]] = {
        "RecordTaskforceFormed": _FORMATION | {"taskforce_unit": f"tf-{n}"},
        "RecordTaskforceChanged": {"taskforce_unit": f"tf-{n}", "officers": 272,
                                   "effective_date": "2018-09-17"},
        "RecordUnitWentLive": {"live_unit": unit, "boroughs": [f"{unit.title()} borough"]},
        "RecordAssetAcquired": {"asset": f"Empress State Building, lot {n}", "acquirer": unit,
                                "price": "250000000", "programme": "Estates",
                                "programme_value": "412000000"},
        "RecordRolloutCompleted": {"system": f"IVMA wave {n}", "count_installed": 1200},
        "RecordOperationalUpdate": {"kind": "other"},
    }
    data.update(own[name])
    setup = []
    if "taskforce_unit" in data:  # a taskforce is formed once: each example has its own
        setup.append(envelope("RegisterUnit", f"x/{n}/unit", ADMIN, unit_id=f"tf-{n}",
                              name=f"Taskforce {n}", kind="taskforce"))
    if name == "RecordTaskforceChanged":
        setup.append(envelope("RecordTaskforceFormed", f"x/{n}/formed", recorder(unit),
                              **{**data, "update_id": f"up-{n}-formed",
                                 "effective_date": "2018-05-01", **_FORMATION,
                                 "taskforce_unit": f"tf-{n}"}))
    return Example(envelope(name, f"x/{n}", recorder(unit), **data), setup)


_FORMATION: dict[str, Any] = {"taskforce_unit": TASKFORCE, "officers": 150, "teams": 4,
                              "locations": ["Lambeth"], "funding_source": "MOPAC"}


def _answer(name: str, n: int, unit: str) -> Example:
    setup_id = f"x/{n}/setup"
    setup = [_progress(setup_id, unit, f"Report {n} to be answered.")]
    data: dict[str, Any] = {"event_id": event_id_of(setup_id), "reason": "reported in error"}
    if name == "CorrectEvent":
        data["changes"] = {"status": "some_delay"}
    return Example(envelope(name, f"x/{n}", recorder(unit), **data), setup)


def _report(name: str, n: int, unit: str) -> Example:
    return Example(_progress(f"x/{n}", unit, f"Progress report {n}."))


BUILDERS: dict[str, Callable[[str, int, str], Example]] = {
    "DefineTheme": _structure,
    "DefineTopic": _structure,
    "RegisterUnit": _structure,
    "GrantRole": _structure,
    "RevokeRole": _revoke,
    "ScheduleMilestone": _planning,
    "RescheduleMilestone": _planning,
    "WithdrawMilestone": _planning,
    "DefineIndicator": _planning,
    "RecordIndicatorValue": _planning,
    "WriteQuarterOverview": _planning,
    "DefineStatusScale": _scales,
    "AdoptStatusScale": _scales,
    "ReportMilestoneProgress": _report,
    "RecordTaskforceFormed": _update,
    "RecordTaskforceChanged": _update,
    "RecordUnitWentLive": _update,
    "RecordAssetAcquired": _update,
    "RecordRolloutCompleted": _update,
    "RecordOperationalUpdate": _update,
    "CorrectEvent": _answer,
    "RetractEvent": _answer,
}
assert set(BUILDERS) == set(COMMANDS), "every command type needs an example"

COMMAND_TYPES = sorted(COMMANDS)


def example(name: str, n: int, unit: str = "north") -> Example:
    """A valid `name` command about `unit`, with its setup; ids made fresh by `n`."""
    return BUILDERS[name](name, n, unit)
