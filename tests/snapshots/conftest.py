"""Fixtures for snapshots: a migrated database on each backend, written at chosen times."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventstore import schema
from opslog.database import alembic_config
from projections.snapshots.taking import Maker
from tests.projections.builders import LogWriter, at, open_writer
from tests.projections.q1_log import Q1Log, load_q1


@pytest.fixture
def writer(database_url: str) -> Iterator[LogWriter]:
    """An empty log with every table (`opslog init`'s schema), with a hand-moved clock."""
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


def maker(now: str = "2018-08-01T09:00", made_by: str = "alice") -> Maker:
    """Who makes a snapshot, and when."""
    return Maker(made_by, "test", at(now))
