"""As-of questions from the nearest snapshot give the answers of a full replay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue import MilestoneProgressReported, MilestoneScheduled, Quarter
from eventstore import EventStore, RecordedEvent, schema
from opslog.database import alembic_config
from projections import query
from projections.fold.cutoff import Cutoff
from projections.fold.state import PlanState, fold
from projections.quarter.board import build_board
from projections.quarter.report import build_report
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from projections.snapshots.resume import start_from_snapshot
from projections.snapshots.taking import take_snapshot
from tests.projections.builders import LogWriter, open_writer
from tests.projections.random_log import QUARTERS, write_random_log
from tests.snapshots.conftest import maker

SEED = 7


@pytest.fixture(scope="module")
def random_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogWriter]:
    """One seeded random log on SQLite (with corrections and retractions), for every example."""
    url = f"sqlite:///{tmp_path_factory.mktemp('resume') / 'log.db'}"
    writer = open_writer(url)
    schema.upgrade(writer.store.engine, alembic_config())
    write_random_log(writer, SEED, steps=160)
    try:
        yield writer
    finally:
        writer.store.close()


def full_state(store: EventStore, position: int) -> PlanState:
    return fold(store.read_all(to_position=position))


def recorded_at(store: EventStore, position: int) -> RecordedEvent:
    return next(iter(store.read_all(from_position=position, limit=1)))


@contextmanager
def statements_on(store: EventStore, table: str) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block that name `table`."""
    sent: list[str] = []
    pattern = re.compile(rf"\b{re.escape(table)}\b", re.IGNORECASE)

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        if pattern.search(statement):
            sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)


def assert_same_answers(store: EventStore, quarter: Quarter, position: int) -> None:
    state = full_state(store, position)
    cutoff = Cutoff(position)
    assert query.board(store, quarter, cutoff).rows == build_board(state, quarter, cutoff).rows
    assert render_markdown(query.report(store, quarter, cutoff)) == render_markdown(
        build_report(state, quarter, cutoff))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_from_a_snapshot_as_from_a_full_replay(random_log: LogWriter, data: st.DataObject) -> None:
    """For a random quarter, snapshot cut-off and later cut-off, the board and the report
    from the nearest snapshot equal those of a full replay."""
    store = random_log.store
    head = store.head().position
    quarter = data.draw(st.sampled_from(QUARTERS), label="quarter")
    snapshot_position = data.draw(st.integers(1, head), label="snapshot position")
    cutoff_at = recorded_at(store, snapshot_position).recorded_at
    taken = take_snapshot(store, quarter, cutoff_at, maker("2030-01-01T00:00"))
    position = data.draw(st.integers(taken.info.position, head), label="question position")
    with store.engine.connect() as connection:
        resumed = start_from_snapshot(store, connection, quarter, position, after=0,
                                      narrative=True)
    assert resumed is not None, "the question starts from a snapshot"
    assert resumed.position == position
    assert_same_answers(store, quarter, position)


def test_a_snapshot_nearer_than_the_read_models_is_used(writer: LogWriter) -> None:
    """Read models caught up to an early position, a snapshot later: the question starts
    from the snapshot and still answers as the full replay does (on each backend)."""
    write_random_log(writer, 3, steps=120)
    store = writer.store
    head = store.head().position
    Runner(store, batch_size=17).catch_up(to_position=head // 4)
    for quarter in QUARTERS:
        cutoff_at = recorded_at(store, head // 2).recorded_at
        take_snapshot(store, quarter, cutoff_at, maker("2030-01-01T00:00"))
    for position in (head // 4, head // 2, head // 2 + 7, head):
        for quarter in QUARTERS:
            with store.engine.connect() as connection:
                resumed = start_from_snapshot(store, connection, quarter, position,
                                              after=head // 4, narrative=False)
            assert (resumed is not None) == (position >= head // 2)
            assert_same_answers(store, quarter, position)


def test_an_effective_date_question_does_not_start_from_a_snapshot(writer: LogWriter) -> None:
    """Snapshots hold the board as known, not as effective at a date: such questions are
    answered without them, and equal the full replay."""
    write_random_log(writer, 5, steps=80)
    store = writer.store
    head = store.head().position
    quarter = QUARTERS[1]
    take_snapshot(store, quarter, recorded_at(store, head // 2).recorded_at,
                  maker("2030-01-01T00:00"))
    state = full_state(store, head)
    with statements_on(store, "snapshots") as read:
        query.board(store, quarter, Cutoff(head))
    assert read, "the seam sees a question that does start from the snapshot"
    for effective in (date(2018, 8, 1), quarter.last_day, quarter.last_day + timedelta(days=200)):
        cutoff = Cutoff(head, effective)
        with statements_on(store, "snapshots") as read:
            rows = query.board(store, quarter, cutoff).rows
        assert read == [], f"effective {effective}: the snapshots table was read"
        assert rows == build_board(state, quarter, cutoff).rows


def test_a_later_event_on_a_stream_outside_the_snapshot_brings_its_history(
        sqlite_url: str) -> None:
    """A milestone off the quarter's board at the snapshot, corrected later so that it is
    carried over, appears on the board answered from the snapshot."""
    writer = open_writer(sqlite_url)
    schema.upgrade(writer.store.engine, alembic_config())
    q1, q2 = QUARTERS[0], QUARTERS[1]
    writer.one(MilestoneScheduled(milestone_id="m", title="M", topic_id="t", due_quarter=q1,
                                  owner_unit="u"), when="2018-04-02T09:00")
    report = writer.one(MilestoneProgressReported(
        milestone_id="m", quarter=q1, status="delivered", narrative="done", as_of=q1.last_day),
        when="2018-07-02T09:00")
    take_snapshot(writer.store, q2, writer.clock.now, maker("2030-01-01T00:00"))
    assert query.board(writer.store, q2, Cutoff()).rows == ()
    writer.correct(report, "not delivered after all", when="2018-07-20T09:00",
                   status="some_delay")
    board = query.board(writer.store, q2, Cutoff())
    assert [(row.milestone_id, row.carried_over) for row in board.rows] == [("m", True)]
    assert_same_answers(writer.store, q2, writer.store.head().position)
    writer.store.close()
