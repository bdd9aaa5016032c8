"""Named leases: one holder at a time, surviving the holder's crash."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from eventstore import EventStore
from eventstore.leases import Lease, LeaseHeld, LeaseLost, advisory_key


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2018, 7, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_second_holder_is_refused_with_the_first_named(store: EventStore) -> None:
    """While one process holds a lease, another cannot take it and is told who has it."""
    first = Lease(store.engine, "scheduler", "host-a:1")
    first.acquire()
    try:
        with pytest.raises(LeaseHeld, match="host-a:1"):
            Lease(store.engine, "scheduler", "host-b:2").acquire()
    finally:
        first.release()
    second = Lease(store.engine, "scheduler", "host-b:2")
    second.acquire()
    second.release()


def test_different_names_do_not_conflict(store: EventStore) -> None:
    """Leases are per name: taking one leaves another's holder holding it, renewing it and
    named to a contender; releasing one frees only that name."""
    with Lease(store.engine, "a", "x") as a, Lease(store.engine, "b", "y") as b:
        assert a.held and b.held
        a.renew()
        b.renew()
        with pytest.raises(LeaseHeld, match="'a' is held by x"):
            Lease(store.engine, "a", "z").acquire()
        with pytest.raises(LeaseHeld, match="'b' is held by y"):
            Lease(store.engine, "b", "z").acquire()
        a.release()
        with Lease(store.engine, "a", "z"):
            b.renew()
            with pytest.raises(LeaseHeld, match="'b' is held by y"):
                Lease(store.engine, "b", "z").acquire()


def test_sqlite_lease_lapses_after_its_ttl(sqlite_url: str) -> None:
    """A holder that stops renewing loses the lease once its time to live has passed."""
    clock = Clock()
    with EventStore.open(sqlite_url, create=True) as store:
        first = Lease(store.engine, "scheduler", "a", ttl=timedelta(seconds=30), clock=clock)
        first.acquire()
        clock.now += timedelta(seconds=10)
        first.renew()
        clock.now += timedelta(seconds=35)
        second = Lease(store.engine, "scheduler", "b", ttl=timedelta(seconds=30), clock=clock)
        second.acquire()
        with pytest.raises(LeaseLost):
            first.renew()
        second.renew()


def _hold_and_die(url: str, ready: multiprocessing.synchronize.Event) -> None:
    store = EventStore.open(url)
    Lease(store.engine, "scheduler", f"pid-{os.getpid()}", ttl=timedelta(seconds=1)).acquire()
    ready.set()
    os._exit(0)  # no release: a crash as far as the database can tell


def test_lease_survives_holder_crash(database_url: str) -> None:
    """A holder that dies without releasing does not block the next one for long."""
    EventStore.open(database_url, create=True).close()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=_hold_and_die, args=(database_url, ready))
    process.start()
    process.join(30)
    assert ready.is_set()
    with EventStore.open(database_url) as store:
        lease = Lease(store.engine, "scheduler", "next")
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while True:
            try:
                lease.acquire()
                break
            except LeaseHeld:
                assert datetime.now(UTC) < deadline, "lease of a dead holder never freed"
                time.sleep(0.1)
        lease.release()


def test_postgres_lease_lost_with_its_connection(postgres_url: str) -> None:
    """When the server ends the lock's session, renew() says the lease is lost, and keeps
    saying so: the holder's unexpired row never lets it renew again."""
    with EventStore.open(postgres_url, create=True) as store:
        lease = Lease(store.engine, "scheduler", "a")
        lease.acquire()
        key = advisory_key("scheduler") & 0xFFFFFFFFFFFFFFFF
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                f"AND classid = {key >> 32} AND objid = {key & 0xFFFFFFFF} AND objsubid = 1"
            )
        with pytest.raises(LeaseLost):
            lease.renew()
        with pytest.raises(LeaseLost):
            lease.renew()
        other = Lease(store.engine, "scheduler", "b")
        other.acquire()
        other.release()
