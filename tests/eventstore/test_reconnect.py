"""A pooled PostgreSQL connection whose backend has gone is replaced, with no pre-ping."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from eventstore import EventStore, NewEvent, StoreUnavailable
from eventstore.engine import _check_alive


def _terminate(url: str, pids: list[int]) -> None:
    """End the backends as a server restart would, and wait until they are gone."""
    plain = make_url(url).set(drivername="postgresql", query={})
    conninfo = plain.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                            (pids,)).fetchone() != (0,):
            assert time.monotonic() < deadline, "terminated backends did not go away"
            time.sleep(0.05)


def _pids(store: EventStore, count: int) -> list[int]:
    """Check out `count` pooled connections at once and return their backend pids."""
    connections = [store.engine.connect() for _ in range(count)]
    try:
        return [c.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
                for c in connections]
    finally:
        for connection in connections:
            connection.close()


def test_engine_does_not_pre_ping(postgres_url: str) -> None:
    """The hot path sends no ping before each transaction."""
    with EventStore.open(postgres_url, create=True) as store:
        assert store.engine.pool._pre_ping is False


@pytest.mark.parametrize("pooled", [1, 3])
def test_appends_and_reads_survive_terminated_backends(postgres_url: str, pooled: int) -> None:
    """Every pooled connection's backend is terminated (as a restarted server ends them):
    the next append and read succeed on new connections, and the chain goes on."""
    with EventStore.open(postgres_url, create=True) as store:
        store.append("thing-1", [NewEvent("Happened", {"n": 1})])
        pids = _pids(store, pooled)
        _terminate(postgres_url, pids)
        result = store.append("thing-1", [NewEvent("Happened", {"n": 2})])
        assert result.first_position == 2
        assert [e.data for e in store.read_all()] == [{"n": 1}, {"n": 2}]
        assert store.verify().ok
        assert not set(_pids(store, pooled)) & set(pids)


def test_a_dead_connection_is_still_found_without_the_check(postgres_url: str) -> None:
    """The test above can fail: the same engine without the checkout check hands out the
    dead connection, and a read on it fails."""
    with EventStore.open(postgres_url, create=True) as store:
        store.append("thing-1", [NewEvent("Happened", {"n": 1})])
        sa.event.remove(store.engine, "checkout", _check_alive)
        _terminate(postgres_url, _pids(store, 1))
        with pytest.raises(StoreUnavailable):
            list(store.read_all())


def test_an_append_lost_in_its_first_round_trip_is_made_once_more(postgres_url: str) -> None:
    """A backend can end between the check at checkout and the append's first round trip
    (here: no check at all). Nothing was written then, so the append is made again on a
    new connection, once: the log holds each event once, in order, and verifies."""
    with EventStore.open(postgres_url, create=True) as store:
        store.append("thing-1", [NewEvent("Happened", {"n": 1})])
        sa.event.remove(store.engine, "checkout", _check_alive)
        _terminate(postgres_url, _pids(store, 1))
        result = store.append("thing-1", [NewEvent("Happened", {"n": 2})], expected_version=1)
        assert result.first_position == 2
        assert [e.data for e in store.read_all()] == [{"n": 1}, {"n": 2}]
        assert store.verify().ok
