"""Fixtures for the reliability suite: its scale, its figures and its worker processes.

``OPSLOG_RELIABILITY_SCALE`` multiplies every count (default 1, the size CI runs);
``OPSLOG_RELIABILITY_FIGURES`` names a file that each check appends its figures to, one
JSON object a line, for ``docs/reliability.md``. Figures are also printed at the end of
the run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventstore.engine import normalise_url
from tests.conftest import (
    BACKENDS,
    POSTGRES_ENV,
    REQUIRE_ENV,
    backend_of,
    postgres_base_url,
)
from tests.reliability.figures import Figures, collected


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    """Where a check records what it ran and what it found, printed and kept."""
    backend = "-"
    for name in ("database_url", "sqlite_url", "postgres_url"):
        if name in request.fixturenames:
            backend = backend_of(str(request.getfixturevalue(name)))
            break
    if "module_databases" in request.fixturenames:
        backend = request.getfixturevalue("module_databases").backend
    found = Figures(check=request.node.originalname, backend=backend)
    yield found
    if not found.values:
        return
    collected.append(found)
    target = os.environ.get("OPSLOG_RELIABILITY_FIGURES")
    if target:
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(json.dumps(found.as_dict()) + "\n")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not collected:
        return
    terminalreporter.write_sep("-", "reliability figures")
    for found in collected:
        terminalreporter.write_line(str(found))


class Databases:
    """Fresh, empty databases on one backend, made on demand and removed at the end."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self._schemas: list[str] = []
        self._admin: sa.Engine | None = None
        self._base: sa.URL | None = None
        if backend == "postgresql":
            base = postgres_base_url()
            if base is None:
                if os.environ.get(REQUIRE_ENV):
                    pytest.fail(f"{REQUIRE_ENV} is set but {POSTGRES_ENV} is not")
                pytest.skip(f"PostgreSQL not tested: set {POSTGRES_ENV}")
            self._base = normalise_url(base)
            self._admin = sa.create_engine(self._base)

    def new(self) -> str:
        """The URL of a new, empty database (a schema of its own on PostgreSQL)."""
        if self._admin is None or self._base is None:
            return f"sqlite:///{self.directory / f'db-{uuid.uuid4().hex[:12]}.db'}"
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self._admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        self._schemas.append(schema)
        query = {**self._base.query, "options": f"-csearch_path={schema}"}
        return self._base.set(query=query).render_as_string(hide_password=False)

    def close(self) -> None:
        if self._admin is None:
            return
        with self._admin.begin() as connection:
            for schema in self._schemas:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        self._admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def module_databases(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Fresh databases on each backend in turn, shared by a module's tests."""
    made = Databases(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield made
    finally:
        made.close()
