"""The 2018-19 Q1 sample as the service meets it: an operator-made admin, the sample's
commands, a later correction, and a token for each role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import time_machine

from commands.errors import Refused
from commands.identity import direct, issue_token, make_first_admin
from commands.outcome import Status
from commands.sample import sample_commands
from commands.service import CommandService
from eventstore import EventStore
from opslog.database import initialise

LOADED = datetime(2018, 7, 20, 9, 0, tzinfo=UTC)
CORRECTED = datetime(2018, 8, 15, 9, 0, tzinfo=UTC)
ROLES = {
    "admin": "opslog.admin",
    "performance": "performance.analyst",
    "recorder": "recorder.estates",
    "auditor": "audit.reviewer",
}
CORRECTED_MILESTONE = "charing-cross"


@dataclass(frozen=True)
class Q1:
    secrets: dict[str, str]
    token_ids: dict[str, str]
    correction: int
    """The position of the correction recorded in August."""
    before_correction: str
    """When the event just before it was recorded (ISO 8601): a cut-off between them.
    Read from the log, as PostgreSQL's clock, not the test's, stamps recorded times."""


def load(store: EventStore) -> Q1:
    """Record the sample in July 2018, correct Charing Cross's status in August, and issue
    a token for each role's actor."""
    initialise(store)
    with time_machine.travel(LOADED, tick=False):
        make_first_admin(store, ROLES["admin"], direct())
        service = CommandService(store)
        for line, item in sample_commands():
            assert not isinstance(item, Refused), (line, item)
            outcome = service.submit(item)
            assert outcome.accepted or "already admin" in (outcome.reason or ""), (
                line, outcome.describe())
    with time_machine.travel(CORRECTED, tick=False):
        (progress,) = [event for event in store.read_stream(f"milestone-{CORRECTED_MILESTONE}")
                       if event.type == "MilestoneProgressReported"]
        outcome = CommandService(store).submit(
            {"command": "CorrectEvent", "id": "fix/charing-cross",
             "data": {"event_id": str(progress.event_id), "changes": {"status": "on_track"},
                      "reason": "works started in July"}}, ROLES["recorder"])
        assert outcome.status is Status.ACCEPTED, outcome.describe()
        correction = outcome.first_position
    assert correction is not None
    secrets, ids = {}, {}
    for role, actor in ROLES.items():
        issued = issue_token(store, actor=actor, issued_by=ROLES["admin"], expires_in=None,
                             channel=direct())
        secrets[role], ids[role] = issued.secret, issued.token_id
    before = next(iter(store.read_all(correction - 1, correction - 1))).recorded_at
    return Q1(secrets, ids, correction, before.isoformat())
