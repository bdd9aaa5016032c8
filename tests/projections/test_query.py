"""Questions at any cut-off: the persisted read models answer as the full fold does."""

from __future__ import annotations

import random
from datetime import date

import pytest

from catalogue import Quarter
from eventstore import EventStore
from projections import query
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.board import build_board
from projections.quarter.report import build_report
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log
from tests.projections.random_log import QUARTERS, write_random_log

EFFECTIVE = (None, date(2018, 5, 15), date(2018, 9, 30), date(2019, 1, 10), date(2019, 8, 1))


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_tables_and_tail_answer_as_the_fold_does(writer: LogWriter, seed: int) -> None:
    """For any quarter, position and effective date, the same board and the same report."""
    write_random_log(writer, seed)
    head = writer.store.head().position
    rng = random.Random(seed)
    Runner(writer.store, batch_size=13).catch_up(to_position=rng.randrange(head // 2, head))
    state = fold(writer.store.read_all())
    positions = sorted({*rng.sample(range(head + 1), 6), head})
    for position in positions:
        for effective in rng.sample(EFFECTIVE, 2):
            cutoff = Cutoff(position, effective)
            for quarter in QUARTERS:
                expected = build_board(state, quarter, cutoff)
                assert query.board(writer.store, quarter, cutoff).rows == expected.rows, (
                    position, effective, quarter)
                assert render_markdown(query.report(writer.store, quarter, cutoff)) == (
                    render_markdown(build_report(state, quarter, cutoff)))


def test_without_read_models_the_log_is_folded(store: EventStore) -> None:
    """A store without the projection tables still answers, by folding the log."""
    from tests.projections.builders import LogWriter as Writer
    from tests.projections.builders import ManualClock
    from tests.projections.q1_log import load_q1

    clock = ManualClock()
    log = load_q1(Writer(EventStore(store.engine, clock=clock), clock))
    board = query.board(store, Quarter(2018, 1), Cutoff())
    assert board.summary == "6 milestones: 6 delivered, 0 on track, 0 some delay"
    assert board.rows[0].source.position == log["report-vctf"].position


def test_as_of_a_time_means_the_last_position_recorded_by_then(writer: LogWriter,
                                                              q1: Q1Log) -> None:
    """``--as-of`` 1 July 2018 sees the log before the progress reports of 5 July."""
    cutoff = query.resolve_cutoff(writer.store, as_of=at("2018-07-01T00:00"))
    assert cutoff.position == q1["report-vctf"].position - 1
    board = query.board(writer.store, Quarter(2018, 1), cutoff)
    assert {row.status for row in board.rows} == {"not_reported"}
    assert cutoff.as_of == at("2018-07-01T00:00")


def test_as_of_before_the_first_event_sees_an_empty_log(writer: LogWriter, q1: Q1Log) -> None:
    """A time before anything was recorded gives position 0 and an empty board."""
    cutoff = query.resolve_cutoff(writer.store, as_of=at("2017-01-01T00:00"))
    assert cutoff.position == 0
    assert query.board(writer.store, Quarter(2018, 1), cutoff).rows == ()


def test_a_cut_off_is_a_time_or_a_position_not_both(writer: LogWriter, q1: Q1Log) -> None:
    """Both at once, or a position past the head, is refused with a clear message."""
    with pytest.raises(query.CutoffError, match="not both"):
        query.resolve_cutoff(writer.store, as_of=at("2018-07-01T00:00"), at_position=3)
    head = writer.store.head().position
    with pytest.raises(query.CutoffError, match=f"head is {head}"):
        query.resolve_cutoff(writer.store, at_position=head + 1)


def test_the_default_quarter_follows_the_question(writer: LogWriter) -> None:
    """No quarter named: that of the effective date, else of the as-of time, else today's."""
    now = at("2026-11-26T12:00")
    assert query.default_quarter(Cutoff(effective=date(2018, 5, 1)), now) == Quarter(2018, 1)
    assert query.default_quarter(Cutoff(3, as_of=at("2018-08-01T00:00")), now) == Quarter(
        2018, 2)
    assert query.default_quarter(Cutoff(), now) == Quarter(2026, 3)


@pytest.mark.parametrize("seed", [3, 5])
def test_a_report_from_read_models_lists_the_updates_a_later_milestone_draws_in(
        writer: LogWriter, seed: int) -> None:
    """An update naming a milestone scheduled for a later quarter is listed in that
    quarter's report: read models at the head answer every past position and quarter with
    the report of a fold to that position, those updates included (seed 3 has them)."""
    write_random_log(writer, seed)
    head = writer.store.head().position
    Runner(writer.store).catch_up()
    for position in range(1, head + 1, 3):
        state = fold(writer.store.read_all(to_position=position))
        for quarter in QUARTERS:
            cutoff = Cutoff(position)
            assert query.report(writer.store, quarter, cutoff) == build_report(
                state, quarter, cutoff), (position, quarter)
