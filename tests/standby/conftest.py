"""A PostgreSQL hot standby of the test database: ``OPSLOG_TEST_STANDBY_URL`` names it
(``.ci/standby`` makes one on 127.0.0.1:5433). Without it the tests skip, saying why; with
``OPSLOG_REQUIRE_STANDBY`` set (CI) they fail instead."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

STANDBY_ENV = "OPSLOG_TEST_STANDBY_URL"
REQUIRE_STANDBY_ENV = "OPSLOG_REQUIRE_STANDBY"


@dataclass(frozen=True)
class Pair:
    primary: str
    standby: str

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written."""
        primary = sa.create_engine(self.primary)
        standby = sa.create_engine(self.standby)
        try:
            with primary.connect() as connection:
                target = connection.exec_driver_sql("SELECT pg_current_wal_lsn()").scalar()
            deadline = time.monotonic() + timeout
            with standby.connect() as connection:
                while not connection.exec_driver_sql(
                        "SELECT pg_last_wal_replay_lsn() >= %(target)s::pg_lsn",
                        {"target": target}).scalar():
                    assert time.monotonic() < deadline, "the standby did not catch up"
                    time.sleep(0.05)
                    connection.rollback()
        finally:
            primary.dispose()
            standby.dispose()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Replay stopped on the standby for the block: it lags the primary on purpose."""
        self.caught_up()
        self.set_replay(pause=True)
        try:
            yield
        finally:
            self.set_replay(pause=False)

    def set_replay(self, pause: bool) -> None:
        engine = sa.create_engine(self.standby, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(
                    "SELECT pg_wal_replay_pause()" if pause else "SELECT pg_wal_replay_resume()")
        finally:
            engine.dispose()


@pytest.fixture
def standby_pair(postgres_url: str) -> Pair:
    """The test's fresh PostgreSQL schema on the primary and the same schema on the standby."""
    base = os.environ.get(STANDBY_ENV)
    if not base:
        if os.environ.get(REQUIRE_STANDBY_ENV):
            pytest.fail(f"{REQUIRE_STANDBY_ENV} is set but {STANDBY_ENV} is not")
        pytest.skip(f"standby not tested: set {STANDBY_ENV} (.ci/standby makes one on "
                    "127.0.0.1:5433)")
    primary = make_url(postgres_url)
    standby = make_url(base).set(query=dict(primary.query))
    pair = Pair(postgres_url, standby.render_as_string(hide_password=False))
    pair.caught_up()
    return pair
