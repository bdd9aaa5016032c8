"""Fixtures shared by every test: a real database per test, on SQLite and on PostgreSQL.

PostgreSQL tests read ``OPSLOG_TEST_DATABASE_URL`` and run each test in a schema of its
own; without the variable they are skipped and the summary says so in capitals.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from eventstore import EventStore
from eventstore.engine import normalise_url
from tests.reference import MISSING, REFERENCE

POSTGRES_ENV = "OPSLOG_TEST_DATABASE_URL"
REQUIRE_ENV = "OPSLOG_REQUIRE_POSTGRES"
BACKENDS = ["sqlite", "postgresql"]


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, empty PostgreSQL schema, dropped after the test."""
    base = postgres_base_url()
    if base is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {POSTGRES_ENV} is not")
        pytest.skip(f"PostgreSQL not tested: set {POSTGRES_ENV}")
    url = normalise_url(base)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    try:
        yield url.set(query=query).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'opslog.db'}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(database_url: str) -> Iterator[EventStore]:
    """A migrated, empty event store."""
    opened = EventStore.open(database_url, create=True)
    try:
        yield opened
    finally:
        opened.close()


slow_not_run: list[pytest.Item] = []
"""The slow tests the run's ``-m`` expression left out, for the summary."""


def pytest_deselected(items: list[pytest.Item]) -> None:
    slow_not_run.extend(item for item in items if item.get_closest_marker("slow"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per thing the run did not check, instead of one line per skipped test
    (``-rfE`` lists failures and errors only)."""
    skipped = [str(report.longrepr) for report in terminalreporter.stats.get("skipped", [])]
    missing = [reason for reason in skipped if POSTGRES_ENV in reason]
    if missing:
        terminalreporter.write_sep(
            "!",
            f"POSTGRESQL NOT TESTED: {len(missing)} tests skipped; set {POSTGRES_ENV}",
            red=True,
            bold=True,
        )
    no_reference = [reason for reason in skipped if MISSING in reason]
    if no_reference:
        terminalreporter.write_sep(
            "!",
            f"REFERENCE REPORT NOT CHECKED: {len(no_reference)} tests skipped; "
            f"{MISSING} {REFERENCE}",
            red=True,
            bold=True,
        )
    other = len(skipped) - len(missing) - len(no_reference)
    if other:
        terminalreporter.write_line(f"{other} tests skipped for other reasons: pytest -rs lists "
                                    "them")
    if slow_not_run:
        terminalreporter.write_line(f"{len(slow_not_run)} slow tests not run: pytest -m slow "
                                    "(CI runs them)")


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()
