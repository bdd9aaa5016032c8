"""The whole database's schema: every package's branch on one Alembic history."""

from __future__ import annotations

from eventstore import EventStore, NewEvent
from opslog.database import initialise


def test_store_opens_with_create_on_a_database_with_more_branches(database_url: str) -> None:
    """create=True on a database that `opslog init` migrated further is a no-op, not an error."""
    with EventStore.open(database_url) as store:
        initialise(store)
    with EventStore.open(database_url, create=True) as store:
        store.append("thing-1", [NewEvent("Happened", {})])
        assert store.verify().ok


def test_initialise_twice_is_harmless(database_url: str) -> None:
    """Running `opslog init` again on an up-to-date database changes nothing."""
    with EventStore.open(database_url) as store:
        initialise(store)
        initialise(store)
        assert store.head().position == 0
