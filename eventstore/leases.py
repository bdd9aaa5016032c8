"""Exclusive named leases: at most one holder per name per database, even across crashes.

PostgreSQL: a session-level advisory lock on a connection the holder keeps open; the
server releases it the moment that connection dies. SQLite: a row with an expiry that the
holder renews; a crashed holder's lease lapses after its time to live. Either way a row
in ``leases`` says who holds the name, for the second process's error message.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from eventstore.errors import EventStoreError
from eventstore.tables import leases
from eventstore.writer import Clock, utc_now


class LeaseHeld(EventStoreError):
    """Somebody else holds the lease."""

    def __init__(self, name: str, holder: str | None, expires_at: datetime | None) -> None:
        who = holder or "another process"
        until = f" (lease runs to {expires_at:%Y-%m-%d %H:%M:%S} UTC)" if expires_at else ""
        super().__init__(f"{name!r} is held by {who}{until}")
        self.name = name
        self.holder = holder


class LeaseLost(EventStoreError):
    """The lease lapsed or was taken over; the holder must stop."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    digest = hashlib.sha256(f"opslog-lease:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Lease:
    """Hold `name` exclusively as `holder`; call `renew()` well within `ttl`."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        holder: str,
        ttl: timedelta = timedelta(seconds=30),
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._clock = clock
        self._session: Connection | None = None
        self._held_row = False
        self._lost = False

    @property
    def held(self) -> bool:
        return self._session is not None or self._held_row

    def acquire(self) -> None:
        """Take the lease or raise `LeaseHeld` naming the current holder."""
        if self.engine.dialect.name == "postgresql":
            self._acquire_advisory()
        else:
            self._acquire_row()

    def _acquire_advisory(self) -> None:
        self._lost = False
        session = self.engine.connect()
        got = session.execute(
            sa.select(sa.func.pg_try_advisory_lock(advisory_key(self.name)))
        ).scalar()
        session.commit()
        if not got:
            session.close()
            raise LeaseHeld(self.name, *self._current())
        self._session = session
        self._write_row()

    def _acquire_row(self) -> None:
        self._lost = False
        now = self._clock()
        with self.engine.begin() as connection:
            row = connection.execute(
                sa.select(leases.c.holder, leases.c.expires_at).where(leases.c.name == self.name)
            ).first()
            if row is not None and row.holder != self.holder and row.expires_at > now:
                raise LeaseHeld(self.name, row.holder, row.expires_at)
            self._upsert(connection, now)
        self._held_row = True

    def renew(self) -> None:
        """Extend the lease; raise `LeaseLost` if it is no longer ours.

        A lost lease stays lost: renewing again raises again, whatever the row says, so a
        holder can never slip back in without acquiring (and being refused) anew.
        """
        if self._lost:
            raise LeaseLost(f"lease {self.name!r} was lost")
        try:
            self._renew()
        except LeaseLost:
            self._lost = True
            raise

    def _renew(self) -> None:
        if self._session is not None:
            self._check_session()
            self._write_row()
            return
        now = self._clock()
        with self.engine.begin() as connection:
            changed = connection.execute(
                leases.update()
                .where(leases.c.name == self.name, leases.c.holder == self.holder,
                       leases.c.expires_at > now)
                .values(expires_at=now + self.ttl)
            ).rowcount
        if changed != 1:
            self._held_row = False
            raise LeaseLost(f"lease {self.name!r} lapsed or was taken over")

    def release(self) -> None:
        """Give the lease up (idempotent)."""
        with self.engine.begin() as connection:
            connection.execute(
                leases.delete().where(leases.c.name == self.name, leases.c.holder == self.holder)
            )
        self._held_row = False
        if self._session is not None:
            try:
                self._session.execute(
                    sa.select(sa.func.pg_advisory_unlock(advisory_key(self.name)))
                )
                self._session.commit()
            finally:
                self._session.close()
                self._session = None

    def _check_session(self) -> None:
        """The advisory lock lives exactly as long as its connection: prove it is alive."""
        assert self._session is not None
        try:
            held = self._session.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted"
                )
            ).scalar()
            self._session.commit()
        except sa_exc.DBAPIError as error:
            self._session.invalidate()
            self._session = None
            raise LeaseLost(f"lease {self.name!r} lost with its connection") from error
        if not held:
            self._session.close()
            self._session = None
            raise LeaseLost(f"lease {self.name!r} is no longer held")

    def _write_row(self) -> None:
        with self.engine.begin() as connection:
            self._upsert(connection, self._clock())

    def _upsert(self, connection: Connection, now: datetime) -> None:
        connection.execute(leases.delete().where(leases.c.name == self.name))
        connection.execute(
            leases.insert().values(
                name=self.name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl
            )
        )

    def _current(self) -> tuple[str | None, datetime | None]:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(leases.c.holder, leases.c.expires_at).where(leases.c.name == self.name)
            ).first()
        return (row.holder, None) if row is not None else (None, None)

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
