"""Fixtures the CLI tests share."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from opslog.cli import main
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1


@pytest.fixture
def q1_url(database_url: str) -> str:
    """A database on each backend holding the Q1-like log, initialised by ``opslog init``."""
    writer = open_writer(database_url)
    load_q1(writer)
    writer.store.close()
    result = CliRunner().invoke(main, ["--db", database_url, "init"])
    assert result.exit_code == 0, result.output
    return database_url
