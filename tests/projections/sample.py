"""The real Q1 2018-19 sample, submitted through the write side like any command file."""

from __future__ import annotations

from commands.identity import direct, make_first_admin
from commands.outcome import Outcome
from commands.sample import SAMPLE_ADMIN, sample_commands
from commands.service import CommandService
from eventstore import EventStore


def record_sample(store: EventStore) -> list[Outcome]:
    """Submit every command of the sample; fail loudly if any is refused."""
    make_first_admin(store, SAMPLE_ADMIN, direct())
    service = CommandService(store)
    outcomes = []
    for line, item in sample_commands():
        assert isinstance(item, dict), f"line {line}: {item}"
        outcome = service.submit(item)
        assert outcome.accepted, f"line {line}: {outcome.describe()}"
        outcomes.append(outcome)
    return outcomes
