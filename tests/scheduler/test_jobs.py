"""The scheduler's jobs, called as the scheduler calls them, with the clock pinned."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import time_machine

from catalogue import Quarter
from eventstore import EventStore
from opslog.scheduler import jobs
from projections.snapshots.tables import snapshots
from tests.conftest import backend_of
from tests.projections.builders import LogWriter, open_writer
from tests.projections.random_log import write_random_log
from tests.scheduler.conftest import copy_log

FIRED = timedelta(minutes=30)
"""The trigger fires half an hour after each close."""
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
    """Run at each close while the log grows, or once months later: byte-identical
    snapshots (cut-off at the close, not when the job ran)."""
    store = log.store
    first = next(iter(store.read_all(limit=1))).recorded_at
    quarter = Quarter.at(first)
    on_time: list[str] = []
    while quarter.closes_at + FIRED <= late(store):
        copy_log(store, twin_url, until=quarter.closes_at + FIRED)
        with time_machine.travel(quarter.closes_at + FIRED, tick=False):
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
