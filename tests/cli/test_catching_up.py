"""`opslog status` with read models behind the log: caught up by exactly what they lack."""

from __future__ import annotations

import json

from click.testing import CliRunner

from catalogue import Quarter
from eventstore import EventStore
from opslog.cli import main
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter import forms
from projections.quarter.board import build_board
from projections.readmodels.loading import checkpoint
from projections.readmodels.runner import Runner

BEHIND = 7


def _live_position(url: str) -> int:
    with EventStore.open(url) as store, store.engine.connect() as connection:
        live = checkpoint(connection)
    assert live is not None
    return live.position


def test_status_catches_up_the_events_since_the_checkpoint_alone(q1_url: str) -> None:
    """The checkpoint moves by the K events it lacked, silently; the board is the fold's."""
    with EventStore.open(q1_url) as store:
        head = store.head().position
        Runner(store).catch_up(to_position=head - BEHIND)
        expected = forms.board_form(build_board(fold(store.read_all()), Quarter.parse("2018-19-Q1"),
                                                Cutoff(head)))
    assert _live_position(q1_url) == head - BEHIND
    result = CliRunner().invoke(main, ["--db", q1_url, "status", "--quarter", "2018-19-Q1",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == json.loads(forms.to_json(expected))
    assert _live_position(q1_url) == head


def test_status_on_read_models_never_built_builds_them_once_and_says_so(q1_url: str) -> None:
    with EventStore.open(q1_url) as store:
        head = store.head().position
    first = CliRunner().invoke(main, ["--db", q1_url, "status", "--quarter", "2018-19-Q1"])
    assert first.exit_code == 0, first.output
    assert first.stderr.startswith("warning: read models: not built yet: building them once "
                                   f"from the log ({head} events")
    assert _live_position(q1_url) == head
    again = CliRunner().invoke(main, ["--db", q1_url, "status", "--quarter", "2018-19-Q1"])
    assert (again.exit_code, again.stderr, again.stdout) == (0, "", first.stdout)
