"""Given-when-then for commands: envelopes, a settable clock, a small plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogue import DomainEvent, from_recorded
from commands.identity import direct, make_first_admin
from commands.outcome import Outcome
from commands.service import CommandService
from eventstore import EventStore

NOW = datetime(2018, 7, 15, 12, 0, tzinfo=UTC)
"""Two weeks after Quarter 1 2018-19 closed: 2018 dates are past, 2019 dates future."""

ADMIN = "it.admin"
PERFORMANCE = "performance.analyst"
VCTF_RECORDER = "recorder.vctf"
SOUTH_WEST_RECORDER = "recorder.south-west"
AUDITOR = "audit.reviewer"


class Clock:
    """A clock the test sets; commands read it, nothing else does."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


_counter = iter(range(1, 10**9))


def cmd(name: str, who: str | None, /, command_id: str | None = None,
        **data: Any) -> dict[str, Any]:
    """An envelope as a command file holds it (with a fresh id unless one is given)."""
    envelope: dict[str, Any] = {"command": name,
                                "id": command_id or f"{name}/{next(_counter)}", "data": data}
    if who is not None:
        envelope["actor"] = who
    return envelope


def given(service: CommandService, *envelopes: dict[str, Any]) -> list[Outcome]:
    """Record `envelopes`, failing the test if any is refused."""
    outcomes = [service.submit(envelope) for envelope in envelopes]
    for outcome in outcomes:
        assert outcome.accepted, outcome.describe()
    return outcomes


def written(store: EventStore, outcome: Outcome) -> list[DomainEvent]:
    """The typed events a command recorded."""
    assert outcome.first_position is not None and outcome.last_position is not None
    return [
        from_recorded(recorded).event
        for recorded in store.read_all(from_position=outcome.first_position,
                                       to_position=outcome.last_position)
    ]


def assert_refused(outcome: Outcome, field: str, *words: str) -> None:
    assert not outcome.accepted, f"expected a refusal naming {field}, got {outcome.describe()}"
    assert outcome.field == field, outcome.describe()
    for word in words:
        assert word in (outcome.reason or ""), outcome.describe()


def first_admin(store: EventStore, name: str = ADMIN) -> None:
    """The operator makes the first admin (``opslog init --admin``); no command can."""
    make_first_admin(store, name, direct())


PLAN: list[dict[str, Any]] = [
    cmd("DefineTheme", ADMIN, number=2, title="Tackling serious violence"),
    cmd("DefineTopic", ADMIN, topic_id="violent-crime", theme=2, title="Violent crime"),
    cmd("DefineTheme", ADMIN, number=6, title="Developing our key capabilities"),
    cmd("DefineTopic", ADMIN, topic_id="estates", theme=6, title="Estates"),
    cmd("RegisterUnit", ADMIN, unit_id="vctf", name="Violent Crime Taskforce", kind="taskforce"),
    cmd("RegisterUnit", ADMIN, unit_id="south-west", name="South West BCU", kind="bcu",
        boroughs=["Kingston", "Merton", "Richmond", "Wandsworth"]),
    cmd("RegisterUnit", ADMIN, unit_id="mopac", name="MOPAC", kind="partner"),
    cmd("GrantRole", ADMIN, actor=PERFORMANCE, role="performance"),
    cmd("GrantRole", ADMIN, actor=VCTF_RECORDER, role="recorder", unit_id="vctf"),
    cmd("GrantRole", ADMIN, actor=SOUTH_WEST_RECORDER, role="recorder", unit_id="south-west"),
    cmd("GrantRole", ADMIN, actor=AUDITOR, role="auditor"),
    cmd("ScheduleMilestone", PERFORMANCE, milestone_id="vctf", title="launch of the VCTF",
        topic_id="violent-crime", due_quarter="2018-19-Q1", owner_unit="vctf"),
]


def progress(status: str = "on_track", quarter: str = "2018-19-Q1", as_of: str = "2018-06-30",
             milestone_id: str = "vctf", actor: str = VCTF_RECORDER) -> dict[str, Any]:
    return cmd("ReportMilestoneProgress", actor, milestone_id=milestone_id, quarter=quarter,
               status=status, narrative="The taskforce was formed.", as_of=as_of)


def head(store: EventStore) -> int:
    return store.head().position



def event_id(store: EventStore, outcome: Outcome) -> str:
    """The id of the (first) event a command recorded."""
    assert outcome.first_position is not None
    (recorded,) = store.read_all(from_position=outcome.first_position, limit=1)
    return str(recorded.event_id)


def update(name: str = "RecordOperationalUpdate", who: str = VCTF_RECORDER, /,
           **fields: Any) -> dict[str, Any]:
    """An update command under violent-crime for the VCTF, with `fields` on top."""
    data: dict[str, Any] = {
        "update_id": f"update-{next(_counter)}", "topic_id": "violent-crime", "unit_id": "vctf",
        "title": "Girls Allowed event", "effective_date": "2018-06-01",
        "narrative": "In June, the Met led event 'Girls Allowed' brought together over 400 people.",
    }
    if name == "RecordOperationalUpdate":
        data["kind"] = "other"
    data.update(fields)
    return cmd(name, who, **data)
