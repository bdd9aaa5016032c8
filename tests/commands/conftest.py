"""Fixtures for command tests: a service on a real store, a clock we set, a small plan."""

from __future__ import annotations

import pytest

from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import PLAN, Clock, first_admin, given


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: EventStore, clock: Clock) -> CommandService:
    return CommandService(store, clock=clock)


@pytest.fixture
def plan(service: CommandService) -> CommandService:
    """Themes 2 and 6, two topics, three units, every role, and the VCTF milestone."""
    first_admin(service.store)
    given(service, *PLAN)
    return service
