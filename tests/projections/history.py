"""The demo's multi-quarter history, submitted through the write side as `opslog demo` does."""

from __future__ import annotations

from commands.identity import direct, make_first_admin
from commands.outcome import Outcome
from commands.sample import HISTORY, SAMPLE_ADMIN, history_commands
from commands.service import CommandService
from eventstore import EventStore


def record_history(store: EventStore) -> dict[str, list[Outcome]]:
    """Submit every file of the history, each declared on its date; by file name."""
    make_first_admin(store, SAMPLE_ADMIN, direct())
    service = CommandService(store)
    recorded: dict[str, list[Outcome]] = {}
    for history in HISTORY:
        for line, item in history_commands(history):
            assert isinstance(item, dict), f"{history.name} line {line}: {item}"
            outcome = service.submit(item)
            assert outcome.accepted, f"{history.name} line {line}: {outcome.describe()}"
            recorded.setdefault(history.name, []).append(outcome)
    return recorded
