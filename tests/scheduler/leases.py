"""Taking the scheduler's lease away from it, as a fault would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventstore import EventStore
from eventstore.leases import advisory_key
from eventstore.tables import leases
from opslog.scheduler.process import LEASE_NAME

USURPER = "usurper:9"


def lease_backend(connection: sa.Connection) -> int | None:
    """The PostgreSQL backend holding the scheduler's advisory lock in this database."""
    key = advisory_key(LEASE_NAME) & 0xFFFF_FFFF_FFFF_FFFF
    return connection.execute(sa.text(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"),
        {"high": key >> 32, "low": key & 0xFFFF_FFFF}).scalar()


def take_lease_away(url: str) -> str:
    """Lose the scheduler's lease for it: on PostgreSQL end its session's backend (what a
    server restart does), on SQLite hand its row to another holder (what a takeover of a
    lapsed lease does). How it was done, for figures."""
    with EventStore.open(url) as store, store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            pid = lease_backend(connection)
            assert pid is not None, "no session holds the scheduler's lease"
            assert connection.execute(sa.select(sa.func.pg_terminate_backend(pid))).scalar()
            return "pg_terminate_backend"
        changed = connection.execute(
            leases.update().where(leases.c.name == LEASE_NAME).values(
                holder=USURPER, expires_at=datetime.now(UTC) + timedelta(minutes=5))).rowcount
        assert changed == 1, "no row holds the scheduler's lease"
        return "row taken over"
