"""The real Q1 2018-19 sample, submitted through the write side like any command file."""

from __future__ import annotations

from commands.outcome import Outcome
from commands.sample import sample_commands
from commands.service import CommandService
from eventstore import EventStore


def record_sample(store: EventStore) -> list[Outcome]:
    """Submit every command of the sample; fail loudly if any is refused."""
    service = CommandService(store)
    outcomes = []
    for line, item in sample_commands():
        assert isinstance(item, dict), f"line {line}: {item}"
        outcome = service.submit(item)
        assert outcome.accepted, f"line {line}: {outcome.describe()}"
        outcomes.append(outcome)
    return outcomes
