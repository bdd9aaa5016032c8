"""A question asked with read models behind the log: they are caught up from their own
checkpoint (only the events since are read), and the answer is the full fold's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eventstore import EventStore, RecordedEvent
from projections import query
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.board import build_board
from projections.quarter.report import build_report
from projections.readmodels.loading import checkpoint
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.random_log import QUARTERS, write_random_log

BEHIND = 30


class ReadCounter:
    """Every position the store's `read_all` hands out, in order (the store's boundary)."""

    def __init__(self, store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.positions: list[int] = []
        original = store.read_all

        def read_all(*args: Any, **kwargs: Any) -> Iterator[RecordedEvent]:
            for recorded in original(*args, **kwargs):
                self.positions.append(recorded.position)
                yield recorded

        monkeypatch.setattr(store, "read_all", read_all)


def _behind(writer: LogWriter, by: int) -> int:
    """A random log with the read models `by` events short of its head; the head."""
    write_random_log(writer, 21)
    head = writer.store.head().position
    assert head > 2 * by
    Runner(writer.store, batch_size=17).catch_up(to_position=head - by)
    return head


def _live_position(store: EventStore) -> int:
    with store.engine.connect() as connection:
        live = checkpoint(connection)
    assert live is not None
    return live.position


@pytest.mark.parametrize("verb", ["board", "report"])
def test_a_question_catches_the_read_models_up_by_the_tail_alone(
        writer: LogWriter, monkeypatch: pytest.MonkeyPatch, verb: str) -> None:
    """Behind by K: the question reads exactly the K events after the checkpoint, moves the
    checkpoint to the head, and answers as the fold of the whole log does."""
    head = _behind(writer, BEHIND)
    expected_state = fold(writer.store.read_all())
    counter = ReadCounter(writer.store, monkeypatch)
    notices: list[str] = []
    quarter = QUARTERS[2]
    if verb == "board":
        got = query.board(writer.store, quarter, Cutoff(), notices.append, catch_up=True)
        assert got.rows == build_board(expected_state, quarter, Cutoff(head)).rows
        assert got.position == head
    else:
        built = query.report(writer.store, quarter, Cutoff(), notices.append, catch_up=True)
        assert render_markdown(built) == render_markdown(
            build_report(expected_state, quarter, Cutoff(head)))
    assert counter.positions == list(range(head - BEHIND + 1, head + 1))
    assert _live_position(writer.store) == head
    assert notices == []


def test_caught_up_read_models_read_no_event_again(writer: LogWriter,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked again, or at a past position they cover, nothing of the log is read."""
    head = _behind(writer, BEHIND)
    query.board(writer.store, QUARTERS[1], Cutoff(), catch_up=True)
    counter = ReadCounter(writer.store, monkeypatch)
    state = fold(list(_all(writer.store)))
    counter.positions.clear()
    for cutoff in (Cutoff(), Cutoff(head // 2)):
        got = query.board(writer.store, QUARTERS[1], cutoff, catch_up=True)
        assert got.rows == build_board(state, QUARTERS[1], cutoff.at(
            head if cutoff.position is None else cutoff.position)).rows
    assert counter.positions == []


def _all(store: EventStore) -> Iterator[RecordedEvent]:
    yield from store.read_all()


def test_without_catching_up_only_the_tail_is_folded(writer: LogWriter,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that may not write (a standby) folds the tail in memory, never the whole
    log, and leaves the checkpoint where it was."""
    head = _behind(writer, BEHIND)
    state = fold(writer.store.read_all())
    counter = ReadCounter(writer.store, monkeypatch)
    for quarter in QUARTERS:
        got = query.board(writer.store, quarter, Cutoff())
        assert got.rows == build_board(state, quarter, Cutoff(head)).rows
        assert render_markdown(query.report(writer.store, quarter, Cutoff())) == (
            render_markdown(build_report(state, quarter, Cutoff(head))))
    assert counter.positions and min(counter.positions) == head - BEHIND + 1
    assert _live_position(writer.store) == head - BEHIND


def test_read_models_never_built_are_built_once_and_say_so(
        writer: LogWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    """No live generation: the first question builds it (saying so), the next reads none."""
    write_random_log(writer, 22)
    head = writer.store.head().position
    state = fold(writer.store.read_all())
    notices: list[str] = []
    quarter = QUARTERS[1]
    got = query.board(writer.store, quarter, Cutoff(), notices.append, catch_up=True)
    assert got.rows == build_board(state, quarter, Cutoff(head)).rows
    assert len(notices) == 1
    assert notices[0].startswith("read models: not built yet: building them once")
    assert _live_position(writer.store) == head
    counter = ReadCounter(writer.store, monkeypatch)
    notices.clear()
    again = query.report(writer.store, quarter, Cutoff(), notices.append, catch_up=True)
    assert render_markdown(again) == render_markdown(build_report(state, quarter, Cutoff(head)))
    assert counter.positions == []
    assert notices == []
