"""Found by check 4: a month before 1000 parsed, printed without its four-digit year, and
then failed to parse inside the rules."""

from __future__ import annotations

import pytest

from catalogue.periods import PeriodError, parse_period
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


@pytest.mark.parametrize("text", ["0001-02", "0000-06", "0999-12", "3000-01"])
def test_months_outside_the_years_of_financial_years_are_refused(text: str) -> None:
    """``0001-02`` used to parse as a month printed ``1-02``, which then did not parse:
    the rules raised PeriodError from inside a command."""
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_month_in_year_one_is_a_refusal_not_a_traceback(planned: CommandService) -> None:
    """The indicator value command with such a period is refused on ``period``."""
    command = example("RecordIndicatorValue", 6).command
    command["data"]["period"] = "0001-02"
    outcome = planned.submit(command)
    assert not outcome.accepted and outcome.field == "period"
