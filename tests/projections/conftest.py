"""Fixtures for the read side: a migrated database on each backend, written at chosen times."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventstore import schema
from projections.readmodels.schema import alembic_config
from tests.projections.builders import LogWriter, open_writer
from tests.projections.q1_log import Q1Log, load_q1


@pytest.fixture
def writer(database_url: str) -> Iterator[LogWriter]:
    """An empty log with the read model tables, on each backend, with a hand-moved clock."""
    opened = open_writer(database_url)
    schema.upgrade(opened.store.engine, alembic_config())
    try:
        yield opened
    finally:
        opened.store.close()


@pytest.fixture
def q1(writer: LogWriter) -> Q1Log:
    """The Quarter 1 log, recorded from April to July 2018."""
    return load_q1(writer)
