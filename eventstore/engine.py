"""Engines for SQLite and PostgreSQL, configured the way the store's guarantees need.

PostgreSQL: READ COMMITTED on every connection, whatever the server's default. No
pre-ping (a round trip before every transaction): a pooled connection whose server end has
gone (a restarted server, a terminated backend) is found at checkout by reading what the
socket already holds, without asking the server anything, and replaced.

SQLite: WAL with ``synchronous = FULL``, a busy timeout, and the pysqlite recipe that hands
transaction control back to SQLAlchemy, so every transaction begins with ``BEGIN IMMEDIATE``
(writers queue for the lock up front instead of failing with "database is locked" on
upgrade). A connection asked for with ``execution_options(sqlite_read_only=True)`` begins a
plain deferred transaction, so readers never wait for writers.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_SYNCHRONOUS = "FULL"
"""Every commit syncs the write-ahead log before it is acknowledged. NORMAL syncs only at
checkpoints (20 commits made 4 fdatasync calls), so power loss could drop commits already
acknowledged and fork the chain away from head hashes others have noted."""
POSTGRES_ISOLATION = "READ COMMITTED"
"""Set on every PostgreSQL connection, whatever the server's default: an append reads the
head after taking the append lock, which needs each statement to see the latest commits.
Under REPEATABLE READ or SERIALIZABLE the snapshot predates the lock and racing appends fail."""


def normalise_url(url: str | URL) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for `url` with the store's connection settings; connects lazily."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **options)
    if parsed.get_backend_name() == "postgresql":
        level = options.setdefault("isolation_level", POSTGRES_ISOLATION)
        if level != POSTGRES_ISOLATION:
            raise ValueError(
                f"isolation_level={level!r}: the store's appends need {POSTGRES_ISOLATION}"
            )
        engine = sa.create_engine(parsed, **options)
        sa.event.listen(engine, "checkout", _check_alive)
        return engine
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _check_alive(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """Refuse a pooled psycopg connection whose server has hung up, so the pool opens a
    new one (SQLAlchemy retries the checkout on `DisconnectionError`).

    A terminated backend or a stopped server sends its goodbye and closes the socket;
    libpq's non-blocking `consume_input` reads that from the socket, with no round trip,
    and fails on the closed end. A server that vanished silently is still only found by
    the first statement, which fails once and invalidates the pool (as a pre-ping would
    have failed): the next transaction gets fresh connections.
    """
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    try:
        # The first read takes the server's farewell message, the second finds the end
        # of the stream behind it; on a live connection both find nothing to read.
        pgconn.consume_input()
        pgconn.consume_input()
    except Exception as error:  # psycopg's OperationalError: the server has hung up
        raise sa_exc.DisconnectionError(f"the server closed the connection: {error}") from error
    if pgconn.status != _CONNECTION_OK:
        raise sa_exc.DisconnectionError("the connection to the server is broken")


_CONNECTION_OK = 0
"""libpq's ``CONNECTION_OK`` (psycopg's `pq.ConnectionStatus.OK`), named here so that the
engine module does not import psycopg for SQLite users."""


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    # The connection returned last is handed out next: one process writing in turn uses
    # one connection (and its page cache), not each of the pool's in rotation.
    if url.database not in (None, "", ":memory:") and "poolclass" not in options:
        options.setdefault("pool_use_lifo", True)
    engine = sa.create_engine(url, **options)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Sent on the driver's connection directly: through `exec_driver_sql` the
        # statement cost SQLAlchemy's whole execution path, more than the BEGIN itself.
        read_only = connection.get_execution_options().get("sqlite_read_only")
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        try:
            connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
        except sqlite3.Error as error:  # "database is locked" after the busy timeout
            raise sa_exc.DBAPIError.instance(
                statement, None, error, sqlite3.Error, dialect=connection.dialect
            ) from error

    return engine
