"""Who holds which role now: the write model's roles, folded from the actors' streams.

Acts that are not commands (publishing, snapshots, tokens, imports) are checked against
the roles as the log stands when they are asked for; only the ``actor-…`` streams are
read, so the check costs the grants and revocations, not the whole log.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.streams import actor_stream
from commands.write_model.evolve import fold_recorded
from commands.write_model.state import State
from eventstore import EventStore, RecordedEvent

ACTOR_CATEGORY = actor_stream("").rstrip("-")


def roles_now(store: EventStore) -> State:
    """A write model holding every grant and revocation recorded so far."""
    return roles_in(store.read_all(categories=[ACTOR_CATEGORY]))


def roles_in(events: Iterable[RecordedEvent]) -> State:
    """The roles held at the end of `events` (a log's, or an export's being imported)."""
    state = State()
    for recorded in events:
        if recorded.category == ACTOR_CATEGORY:
            fold_recorded(state, recorded)
    return state
