"""Found by check 4: values JSON cannot carry used to raise from inside a command.

Lone surrogates, NaN and infinity, integers too long to write out and nesting deeper than
the log stores are refused on the field that holds them.
"""

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


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_a_lone_surrogate_is_refused_on_its_field(planned: CommandService, text: str) -> None:
    """JSON's \\ud800 escape makes text with no UTF-8 form: refused on the field, no
    traceback (it used to raise UnicodeEncodeError while fingerprinting the command)."""
    command = example("RecordOperationalUpdate", 1).command
    command["data"]["title"] = text
    outcome = planned.submit(command)
    assert not outcome.accepted
    assert outcome.field == "title" and "surrogate" in (outcome.reason or "")


def test_a_lone_surrogate_in_a_field_name_is_refused(planned: CommandService) -> None:
    """An unknown key that cannot be printed is named in escaped form."""
    command = example("RecordOperationalUpdate", 2).command
    command["data"]["facts"][0]["\ud800"] = 1
    outcome = planned.submit(command)
    assert not outcome.accepted and outcome.field == "facts.0"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**5000],
                         ids=["nan", "infinity", "5000-digits"])
def test_numbers_json_cannot_carry_are_refused_on_their_field(planned: CommandService,
                                                              value: float) -> None:
    """A correction's changes are free-form: NaN, infinity or a 5,000-digit integer there
    used to raise ValueError while fingerprinting the command."""
    built = example("CorrectEvent", 3)
    for setup in built.setup:
        assert planned.submit(setup).accepted
    built.command["data"]["changes"] = {"status": value}
    outcome = planned.submit(built.command)
    assert not outcome.accepted and outcome.field == "changes.status", outcome.describe()


def test_nesting_deeper_than_the_log_stores_is_refused(planned: CommandService) -> None:
    """5,000 nested lists in a correction used to raise RecursionError."""
    built = example("CorrectEvent", 4)
    for setup in built.setup:
        assert planned.submit(setup).accepted
    deep: list[object] = []
    for _ in range(5_000):
        deep = [deep]
    built.command["data"]["changes"] = {"status": deep}
    outcome = planned.submit(built.command)
    assert not outcome.accepted and (outcome.field or "").startswith("changes.status")
    assert "nested" in (outcome.reason or "")
