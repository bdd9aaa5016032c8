"""Found by check 6: a command over the log's payload limit was refused on a field of the
store's, not of the command."""

from __future__ import annotations

import pytest

from commands.service import CommandService
from eventstore import EventStore
from tests.reliability.examples import example
from tests.reliability.plan import first_admin, plan_commands


@pytest.fixture
def planned(store: EventStore) -> CommandService:
    """A command service on a store holding the plan."""
    first_admin(store)
    service = CommandService(store)
    for command in plan_commands():
        assert service.submit(command).accepted
    return service


def test_a_command_over_the_payload_limit_is_refused_on_data(planned: CommandService) -> None:
    """Its field used to be the store's ``streams[0].events[0].data``, no field of the
    command."""
    command = example("WriteQuarterOverview", 5).command
    command["data"]["paragraphs"] = [{"text": "é" * 20_000}] * 40
    outcome = planned.submit(command)
    assert not outcome.accepted and outcome.field == "data"
    assert "limit" in (outcome.reason or "")
