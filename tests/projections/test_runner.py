"""The runner: the persisted board in step with the log, once per event, crash-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalogue import MilestoneProgressReported, Quarter
from eventstore import EventStore, NewEvent
from projections import query
from projections.errors import ProjectionFailed
from projections.fold.cutoff import Cutoff
from projections.readmodels.runner import Runner
from projections.readmodels.tables import checkpoints, quarantine, spans
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log
from tests.projections.random_log import write_random_log
from tests.projections.tables_view import (
    board_table,
    facts_table,
    folded_board_rows,
    live_generation,
)

Q1 = Quarter(2018, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_board_table_is_every_quarters_folded_board(writer: LogWriter, seed: int) -> None:
    """After catching up, the table holds each quarter's board as the fold computes it."""
    write_random_log(writer, seed)
    Runner(writer.store, batch_size=7).catch_up()
    generation, position, horizon = live_generation(writer.store)
    assert position == writer.store.head().position
    assert board_table(writer.store, generation) == folded_board_rows(writer.store, horizon)


def test_catching_up_in_steps_gives_what_one_run_gives(writer: LogWriter) -> None:
    """Catch-ups between appends, in batches of any size, end where one rebuild ends."""
    write_random_log(writer, 4, steps=40)
    Runner(writer.store, batch_size=3).catch_up()
    write_random_log(writer, 5, steps=40)
    Runner(writer.store, batch_size=11).catch_up()
    Runner(writer.store, batch_size=11).catch_up()
    generation, _, _ = live_generation(writer.store)
    stepped = (board_table(writer.store, generation), facts_table(writer.store, generation))
    Runner(writer.store, batch_size=1000).rebuild()
    rebuilt, _, _ = live_generation(writer.store)
    assert rebuilt == generation + 1
    assert (board_table(writer.store, rebuilt), facts_table(writer.store, rebuilt)) == stepped


def test_a_second_catch_up_with_nothing_new_changes_nothing(writer: LogWriter, q1: Q1Log
                                                             ) -> None:
    """Effectively once: running again applies nothing twice."""
    runner = Runner(writer.store, batch_size=10)
    runner.catch_up()
    generation, position, _ = live_generation(writer.store)
    before = facts_table(writer.store, generation)
    assert runner.catch_up().position == position
    assert facts_table(writer.store, generation) == before


def test_two_runners_racing_apply_each_event_once(writer: LogWriter) -> None:
    """Two catch-ups at once end with the rows one catch-up makes."""
    write_random_log(writer, 6)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            Runner(writer.store, batch_size=5).catch_up()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    generation, position, horizon = live_generation(writer.store)
    assert position == writer.store.head().position
    assert board_table(writer.store, generation) == folded_board_rows(writer.store, horizon)


def test_a_failing_event_stops_the_runner_at_the_event_before(writer: LogWriter,
                                                              q1: Q1Log) -> None:
    """The runner commits up to the bad event, says which and why, and never skips it."""
    writer.correct(q1["report-vctf"], "bad", status="Finished!")
    bad = writer.store.head().position
    writer.one(MilestoneProgressReported(milestone_id="vctf", quarter=Q1, status="on_track",
                                         narrative="later", as_of=q1["report-vctf"].event.as_of))  # type: ignore[attr-defined]
    runner = Runner(writer.store, batch_size=25)
    with pytest.raises(ProjectionFailed) as failed:
        runner.catch_up()
    assert (failed.value.position, failed.value.last_good) == (bad, bad - 1)
    assert "'status'" in failed.value.reason
    assert live_generation(writer.store)[1] == bad - 1
    status = runner.status()
    assert status.live is not None and status.live.failed_position == bad
    assert status.live.failure is not None and f"event {bad}" in status.live.failure
    with pytest.raises(ProjectionFailed):
        runner.catch_up()
    assert live_generation(writer.store)[1] == bad - 1


def test_an_unknown_event_type_is_quarantined_and_passed(writer: LogWriter,
                                                         q1: Q1Log) -> None:
    """An event it cannot read is quarantined with its reason; the runner goes on."""
    alien = writer.store.append("alien-1", [NewEvent(type="AlienLanded", data={})])
    writer.correct(q1["report-vctf"], "premature", status="on_track")
    head = writer.store.head().position
    runner = Runner(writer.store, batch_size=1000)
    runner.catch_up()
    assert live_generation(writer.store)[1] == head
    gaps = runner.status().gaps
    assert [(gap.position, gap.type) for gap in gaps] == [(alien.last_position, "AlienLanded")]
    assert query.board(writer.store, Q1, Cutoff()).rows[0].status == "on_track"


def test_readers_see_the_old_board_until_the_rebuild_swaps(writer: LogWriter,
                                                           q1: Q1Log) -> None:
    """While a rebuild fills the next generation, queries answer from the complete old one."""
    runner = Runner(writer.store, batch_size=9)
    runner.catch_up()
    writer.correct(q1["report-vctf"], "premature", status="on_track")
    old_generation = live_generation(writer.store)[0]
    seen: list[tuple[int, int]] = []

    def during(done: int, total: int) -> None:
        generation, position, _ = live_generation(writer.store)
        rows = query.board(writer.store, Q1, Cutoff()).rows
        assert generation == old_generation
        assert rows[0].status == "on_track"  # old tables plus the fold of the newer event
        seen.append((done, position))

    rebuilt = runner.rebuild(during)
    assert len(seen) > 3
    assert rebuilt.generation == old_generation + 1
    assert facts_table(writer.store, old_generation) == []
    assert board_table(writer.store, old_generation) == []
    assert query.board(writer.store, Q1, Cutoff()).rows[0].status == "on_track"


CHILD = """
import sys, time
from eventstore import EventStore
from projections.readmodels.runner import Runner
store = EventStore.open(sys.argv[1])
Runner(store, batch_size=2).catch_up(progress=lambda done, total: time.sleep(0.01))
"""


def test_a_runner_killed_mid_run_resumes_to_the_same_tables(writer: LogWriter, database_url: str,
                                                            tmp_path: Path) -> None:
    """SIGKILL at any moment loses at most the open batch; the next catch-up finishes it."""
    write_random_log(writer, 7, steps=120)
    Runner(writer.store).catch_up(to_position=5)
    root = Path(__file__).resolve().parents[2]
    head = writer.store.head().position
    killed_at = []
    for extra in (0.0, 0.005, 0.013):
        start = live_generation(writer.store)[1]
        child = subprocess.Popen([sys.executable, "-c", CHILD, database_url], cwd=root,
                                 env={**os.environ, "PYTHONPATH": str(root)})
        deadline = time.monotonic() + 30
        while live_generation(writer.store)[1] < start + 6 and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(extra)
        child.send_signal(signal.SIGKILL)
        child.wait()
        killed_at.append(live_generation(writer.store)[1])
    assert all(5 < position < head for position in killed_at), killed_at
    Runner(writer.store, batch_size=4).catch_up()
    generation, position, horizon = live_generation(writer.store)
    assert position == writer.store.head().position
    resumed = (board_table(writer.store, generation), facts_table(writer.store, generation))
    Runner(writer.store).rebuild()
    rebuilt = live_generation(writer.store)[0]
    assert (board_table(writer.store, rebuilt), facts_table(writer.store, rebuilt)) == resumed
    assert resumed[0] == folded_board_rows(writer.store, horizon)


def test_the_checkpoint_moves_with_the_rows(writer: LogWriter, q1: Q1Log) -> None:
    """Progress is reported only after a batch's rows and position are committed."""
    positions: list[int] = []

    def check(done: int, total: int) -> None:
        with writer.store.engine.connect() as connection:
            stored = connection.execute(sa.select(checkpoints.c.position)).scalar()
        positions.append(done)
        assert stored == done

    Runner(writer.store, batch_size=20).catch_up(check)
    assert positions == [20, 40, 60, writer.store.head().position]


def test_a_report_off_the_horizon_board_carries_the_milestone_on(writer: LogWriter) -> None:
    """Delivered in Q1, then reported some delay for Q2 (off Q2's board): when a Q3 fact
    moves the horizon, the milestone is carried into Q3 in the table as in the fold."""
    from datetime import date

    from catalogue import (
        MilestoneScheduled,
        OperationalUpdateRecorded,
        ThemeDefined,
        TopicDefined,
    )

    q1, q2, q3 = Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3)
    writer.record(ThemeDefined(number=2, title="T"), TopicDefined(topic_id="t", theme=2,
                                                                  title="Topic"))
    writer.one(MilestoneScheduled(milestone_id="m", title="M", topic_id="t", due_quarter=q1,
                                  owner_unit="u"))
    for quarter, status in ((q1, "delivered"), (q2, "some_delay")):
        writer.one(MilestoneProgressReported(milestone_id="m", quarter=quarter, status=status,
                                             narrative="", as_of=quarter.last_day))
    writer.one(OperationalUpdateRecorded(update_id="later", topic_id="t", unit_id="u",
                                         title="Later", effective_date=date(2018, 10, 2),
                                         kind="other"))
    Runner(writer.store, batch_size=1).catch_up()
    generation, _, horizon = live_generation(writer.store)
    assert horizon == 8074
    rows = board_table(writer.store, generation)
    assert [(row["quarter"], row["status"]) for row in rows] == [
        (str(q1), "delivered"), (str(q3), "some_delay")]
    assert rows == folded_board_rows(writer.store, horizon)


def _every_table(store: EventStore, generation: int) -> tuple[object, ...]:
    """Each read model table's rows of a generation, without what only names the
    generation or when a quarantine was written, with the checkpoint's horizon and hash."""
    with store.engine.connect() as connection:
        others = []
        for table, order in ((spans, (spans.c.milestone_id, spans.c.known_from)),
                             (quarantine, (quarantine.c.position,))):
            rows = connection.execute(
                sa.select(table).where(table.c.generation == generation).order_by(*order))
            others.append([{key: value for key, value in row.items()
                            if key not in ("generation", "quarantined_at")}
                           for row in rows.mappings()])
        mark = connection.execute(sa.select(checkpoints.c.horizon, checkpoints.c.head_hash)
                                  .where(checkpoints.c.generation == generation)).one()
    return (facts_table(store, generation), board_table(store, generation), *others,
            tuple(mark))


@pytest.mark.parametrize("seed", [8, 9])
def test_a_rebuild_at_once_leaves_the_rows_a_catch_up_in_batches_leaves(writer: LogWriter,
                                                                      seed: int) -> None:
    """Folding the whole log in memory and writing each table once (no batch size) makes
    every table — facts, board, spans, quarantine — and the checkpoint's horizon and hash,
    as small batches make them, unreadable events included."""
    write_random_log(writer, seed, steps=60)
    writer.store.append("alien-1", [NewEvent(type="AlienLanded", data={})])
    write_random_log(writer, seed + 10, steps=40)
    writer.store.append("alien-2", [NewEvent(type="AlienLanded", data={})])
    Runner(writer.store, batch_size=6).catch_up()
    generation, position, _ = live_generation(writer.store)
    stepped = _every_table(writer.store, generation)
    assert len(stepped[3]) == 2  # type: ignore[arg-type]
    rebuilt = Runner(writer.store).rebuild()
    assert (rebuilt.generation, rebuilt.position) == (generation + 1, position)
    assert _every_table(writer.store, rebuilt.generation) == stepped


def test_a_rebuild_at_once_stops_at_the_event_before_a_failing_one(writer: LogWriter,
                                                                   q1: Q1Log) -> None:
    """The generation being built holds the rows up to the bad event, as a catch-up there
    does; the failure is recorded on it and raised, and the live generation stays."""
    Runner(writer.store).catch_up()
    live = live_generation(writer.store)
    writer.correct(q1["report-vctf"], "bad", status="Finished!")
    bad = writer.store.head().position
    writer.one(MilestoneProgressReported(milestone_id="vctf", quarter=Q1, status="on_track",
                                         narrative="later", as_of=q1["report-vctf"].event.as_of))  # type: ignore[attr-defined]
    runner = Runner(writer.store)
    with pytest.raises(ProjectionFailed) as failed:
        runner.rebuild()
    assert (failed.value.position, failed.value.last_good) == (bad, bad - 1)
    status = runner.status()
    assert status.building is not None and status.building.position == bad - 1
    assert status.building.failed_position == bad
    assert live_generation(writer.store) == live
    assert live[1] == bad - 1  # caught up just before the bad event: the rows to match
    assert _every_table(writer.store, status.building.generation) == _every_table(
        writer.store, live[0])
