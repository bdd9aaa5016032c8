"""The scheduler's jobs, called as the scheduler calls them, with the clock pinned."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import time_machine

from catalogue import (
    MilestoneProgressReported,
    MilestoneScheduled,
    OperationalUpdateRecorded,
    Quarter,
)
from catalogue.periods import LONDON
from eventstore import EventStore
from opslog.scheduler import jobs
from projections.snapshots.registry import SnapshotInfo, snapshot_infos
from projections.snapshots.tables import snapshots
from projections.snapshots.taking import first_quarter, grace_ends
from tests.conftest import backend_of
from tests.projections.builders import LogWriter, open_writer
from tests.projections.random_log import write_random_log
from tests.scheduler.conftest import copy_log

FIRED = timedelta(minutes=30)
"""The trigger fires half an hour after each quarter's grace period ends."""
Q1 = Quarter(2018, 1)
PROOF = ("quarter", "cutoff_at", "cutoff_position", "head_hash", "board_state_sha256",
         "narrative_state_sha256", "markdown_sha256", "html_sha256", "created_by")


@pytest.fixture
def log(url: str) -> LogWriter:
    """A seeded random log of about ten months, from April 2018, in `url`."""
    writer = open_writer(url, create=False)
    write_random_log(writer, 21, steps=220)
    return writer


def proofs(url: str) -> dict[str, tuple[object, ...]]:
    """Each stored snapshot's quarter, cut-off, position and hashes (not when it was made)."""
    with EventStore.open(url) as store, store.engine.connect() as connection:
        rows = connection.execute(sa.select(*(snapshots.c[name] for name in PROOF)))
        return {row.quarter: tuple(row) for row in rows}


def late(store: EventStore) -> datetime:
    head = store.head().recorded_at
    assert head is not None
    return head + timedelta(days=200)


def test_on_time_and_late_runs_make_the_same_snapshots(url: str, log: LogWriter,
                                                       twin_url: str) -> None:
    """Run as each grace period ends while the log grows, or once months later:
    byte-identical snapshots (cut-off at the grace period's end, not when the job ran)."""
    store = log.store
    quarter = first_quarter(store)
    assert quarter is not None
    on_time: list[str] = []
    while grace_ends(quarter) + FIRED <= late(store):
        copy_log(store, twin_url, until=grace_ends(quarter) + FIRED)
        with time_machine.travel(grace_ends(quarter) + FIRED, tick=False):
            outcome = jobs.close_quarters(twin_url)
        assert [str(taken.info.quarter) for taken in outcome.created] == [str(quarter)]
        on_time.append(str(quarter))
        quarter = quarter.next()
    copy_log(store, twin_url)
    with time_machine.travel(late(store), tick=False):
        outcome = jobs.close_quarters(url)
    assert [str(taken.info.quarter) for taken in outcome.created] == on_time
    assert proofs(url) == proofs(twin_url)
    assert len({proof[2] for proof in proofs(url).values()}) >= 3, "closes at several positions"


def test_a_run_after_a_crash_part_way_completes_the_work(url: str, log: LogWriter,
                                                         twin_url: str) -> None:
    """The job dies storing the third quarter; the next run makes the rest, and the result
    is what one uninterrupted run makes."""
    store = log.store
    _fail_inserts_of(store, "2018-19-Q3")
    with time_machine.travel(late(store), tick=False), \
            pytest.raises(sa_exc.DBAPIError, match="simulated crash"):
        jobs.close_quarters(url)
    assert sorted(proofs(url)) == ["2018-19-Q1", "2018-19-Q2"]
    _allow_inserts(store)
    with time_machine.travel(late(store), tick=False):
        jobs.close_quarters(url)
    copy_log(store, twin_url)
    with time_machine.travel(late(store), tick=False):
        jobs.close_quarters(twin_url)
    assert proofs(url) == proofs(twin_url)


def test_a_repeated_run_makes_nothing_and_says_so(url: str, log: LogWriter,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """The second run finds every closed quarter done; the log lines say what each run did."""
    caplog.set_level(logging.INFO, logger="opslog.scheduler.jobs")
    with time_machine.travel(late(log.store), tick=False):
        first = jobs.close_quarters(url)
        second = jobs.close_quarters(url)
    assert first.created and not second.created and second.events_folded == 0
    lines = [record.getMessage() for record in caplog.records]
    made = ", ".join(str(taken.info.quarter) for taken in first.created)
    assert any(f"{len(first.created)} snapshotted ({made}), {first.events_folded} events folded"
               in line for line in lines)
    assert any("0 snapshotted (none), 0 events folded" in line for line in lines)
    assert any(line.startswith(f"quarter-close: snapshot {first.created[0].info.id} of "
                               "2018-19-Q1 at position") for line in lines)


def test_an_empty_log_has_no_closed_quarters(url: str) -> None:
    """Nothing recorded, nothing to snapshot."""
    with time_machine.travel(datetime(2019, 1, 1, 1, 0, tzinfo=UTC), tick=False):
        outcome = jobs.close_quarters(url)
    assert outcome.closed == [] and outcome.taken == []


def test_the_catch_up_job_folds_what_is_new(url: str, log: LogWriter,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """It brings the read models to the head, then finds nothing to do; it logs both."""
    caplog.set_level(logging.INFO, logger="opslog.scheduler.jobs")
    head = log.store.head().position
    assert jobs.catch_up_read_models(url) == head
    assert jobs.catch_up_read_models(url) == 0
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith(f"read-model catch-up: {head} events folded (position 0 to "
                               f"{head})") for line in lines)


def _fail_inserts_of(store: EventStore, quarter: str) -> None:
    """Make the database refuse one quarter's snapshot, as a crash at that point would."""
    with store.engine.begin() as connection:
        if backend_of(str(store.engine.url)) == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER crash BEFORE INSERT ON snapshots "
                f"WHEN NEW.quarter = '{quarter}' BEGIN SELECT RAISE(ABORT, 'simulated crash'); "
                "END")
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'simulated crash'; END; $$")
            connection.exec_driver_sql(
                "CREATE TRIGGER crash BEFORE INSERT ON snapshots FOR EACH ROW "
                f"WHEN (NEW.quarter = '{quarter}') EXECUTE FUNCTION crash()")


def _allow_inserts(store: EventStore) -> None:
    with store.engine.begin() as connection:
        if backend_of(str(store.engine.url)) == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER crash")
        else:
            connection.exec_driver_sql("DROP TRIGGER crash ON snapshots")
            connection.exec_driver_sql("DROP FUNCTION crash()")


def _plan_with_a_late_return(url: str, start: str = "2018-04-02T09:00") -> LogWriter:
    """A milestone due in 2018-19 Quarter 1, and its progress report returned on 20 July,
    three weeks after the close."""
    writer = open_writer(url, start=start, create=False)
    writer.record(MilestoneScheduled(milestone_id="vctf", title="launch of the VCTF",
                                     topic_id="violent-crime", due_quarter=Q1,
                                     owner_unit="vctf"))
    writer.record(MilestoneProgressReported(
        milestone_id="vctf", quarter=Q1, status="delivered", narrative="Formed.",
        as_of=date(2018, 6, 30)), when="2018-07-20T10:00")
    return writer


def _snapshots(url: str) -> list[SnapshotInfo]:
    with EventStore.open(url) as store, store.engine.connect() as connection:
        return snapshot_infos(connection)


def test_a_quarter_is_snapshotted_once_its_grace_ends_with_the_late_returns(url: str) -> None:
    """Quarter 1 closes on 1 July; its return comes on 20 July. On 2 July nothing is made;
    from 31 July (30 days of grace) the snapshot is cut off at 00:00 London on 31 July, and
    holds the late return."""
    writer = _plan_with_a_late_return(url)
    with time_machine.travel(Q1.closes_at + timedelta(days=1), tick=False):
        assert jobs.close_quarters(url).taken == []
    ends = datetime(2018, 7, 31, tzinfo=LONDON)
    with time_machine.travel(ends + FIRED, tick=False):
        outcome = jobs.close_quarters(url)
    (info,) = _snapshots(url)
    assert [taken.info for taken in outcome.created] == [info]
    assert (info.quarter, info.cutoff_at, info.position) == (
        Q1, ends, writer.store.head().position)
    writer.store.close()


def test_with_no_grace_the_cut_off_is_the_close_and_misses_late_returns(url: str) -> None:
    """`grace_days=0` cuts Quarter 1 off at its close: the 20 July return is not in it."""
    writer = _plan_with_a_late_return(url)
    with time_machine.travel(datetime(2018, 8, 1, tzinfo=UTC), tick=False):
        jobs.close_quarters(url, grace_days=0)
    (info,) = _snapshots(url)
    assert (info.cutoff_at, info.position) == (Q1.closes_at, 1)
    writer.store.close()


def test_every_closed_quarter_of_the_plan_is_snapshotted_from_its_first(url: str) -> None:
    """A plan recorded from 2 March 2019, with a milestone due in 2018-19 Quarter 1 and an
    update effective in 2017-18 Quarter 4: from that first quarter on, every quarter whose
    grace has ended gets its snapshot (before, only those after the first recorded event
    did), each as the log knew it at its cut-off."""
    writer = _plan_with_a_late_return(url, start="2019-03-02T09:00")
    writer.record(OperationalUpdateRecorded(
        update_id="strategy", topic_id="violent-crime", unit_id="mps",
        title="Violent crime strategy", effective_date=date(2018, 3, 20), kind="other"))
    with time_machine.travel(datetime(2019, 6, 1, tzinfo=UTC), tick=False):
        outcome = jobs.close_quarters(url)
    assert [str(quarter) for quarter in outcome.closed] == [
        "2017-18-Q4", "2018-19-Q1", "2018-19-Q2", "2018-19-Q3", "2018-19-Q4"]
    infos = _snapshots(url)
    assert [str(info.quarter) for info in infos] == [str(q) for q in outcome.closed]
    assert [info.position for info in infos] == [0, 0, 0, 0, 3]
    writer.store.close()
