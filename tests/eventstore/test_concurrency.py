"""Concurrent writers and a tailing reader: gapless positions, one winner, one record."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy.engine import make_url

from eventstore import (
    ANY,
    NO_STREAM,
    AppendResult,
    EventStore,
    ExpectedVersion,
    IdempotencyConflict,
    NewEvent,
    WrongExpectedVersion,
)
from eventstore.store import StreamBatch
from eventstore.writer import APPEND_LOCK_KEY

Expected = int | ExpectedVersion
WRITERS = 8
COMMITS_PER_WRITER = 50
SHARED_STREAMS = ("shared-a", "shared-b", "shared-c")


def run_threads(count: int, work: Callable[[int], None], timeout: float = 60) -> None:
    """Run `work(index)` on `count` threads and re-raise the first failure here."""
    failures: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            work(index)
        except BaseException as error:  # re-raised in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread did not finish"
    if failures:
        raise failures[0]


def writer_commits(writer: int) -> list[list[tuple[str, list[NewEvent]]]]:
    """A writer's commits: one or several streams each, shared and its own, 1-3 events each."""
    chooser = random.Random(writer)
    commits = []
    for n in range(COMMITS_PER_WRITER):
        streams = chooser.sample([*SHARED_STREAMS, f"own-{writer}"], k=chooser.choice([1, 1, 2]))
        commits.append([
            (stream, [NewEvent("Wrote", {"writer": writer, "commit": n, "i": i})
                      for i in range(chooser.randint(1, 3))])
            for stream in streams
        ])
    return commits


def test_concurrent_writers_and_a_tailing_reader(store: EventStore) -> None:
    """8 writers appending at once leave a gapless log that a tailing reader saw in order."""
    plans = {writer: writer_commits(writer) for writer in range(WRITERS)}
    results: dict[int, list[AppendResult]] = defaultdict(list)
    seen: list[int] = []
    reader_failures: list[BaseException] = []
    subscription = store.subscribe(1, poll_interval=0.005)

    def follow() -> None:
        try:
            for event in subscription:
                if seen and event.position <= seen[-1]:
                    raise AssertionError(f"saw {event.position} after {seen[-1]}")
                seen.append(event.position)
        except BaseException as error:
            reader_failures.append(error)

    reader = threading.Thread(target=follow)
    reader.start()

    def write(writer: int) -> None:
        for commit in plans[writer]:
            results[writer].append(
                store.append_many([(stream, batch, ANY) for stream, batch in commit])
            )

    try:
        run_threads(WRITERS, write)
        total = sum(len(batch) for plan in plans.values() for commit in plan
                    for _, batch in commit)
        deadline = time.monotonic() + 15
        while (not seen or seen[-1] < total) and time.monotonic() < deadline and not (
            reader_failures
        ):
            time.sleep(0.01)
    finally:
        subscription.close()
        reader.join(5)
    assert not reader.is_alive()
    assert not reader_failures, reader_failures
    recorded = list(store.read_all())
    assert [e.position for e in recorded] == list(range(1, total + 1))
    assert seen == list(range(1, total + 1))

    by_position = {e.position: e for e in recorded}
    versions: dict[str, list[int]] = defaultdict(list)
    for event in recorded:
        versions[event.stream_id].append(event.version)
    for stream, stream_versions in versions.items():
        assert stream_versions == list(range(1, len(stream_versions) + 1)), stream
    for writer, writer_results in results.items():
        for commit, result in zip(plans[writer], writer_results, strict=True):
            written = [by_position[p] for p in range(result.first_position,
                                                      result.last_position + 1)]
            assert [(e.stream_id, e.data["writer"], e.data["commit"]) for e in written] == [
                (stream, writer, event.data["commit"])
                for stream, batch in commit for event in batch
            ]
            assert {e.recorded_at for e in written} == {result.recorded_at}
            for stream, _ in commit:
                assert result.stream_versions[stream] == max(
                    e.version for e in written if e.stream_id == stream
                )
    report = store.verify()
    assert report.ok, report
    assert report.checked == total


def race(threads: int, call: Callable[[int], object]) -> list[object]:
    """Release `threads` calls at once; each one's result or store error, in any order."""
    barrier = threading.Barrier(threads)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait(10)
        try:
            outcome = call(index)
        except (WrongExpectedVersion, IdempotencyConflict) as error:
            outcome = error
        with lock:
            outcomes.append(outcome)

    run_threads(threads, run)
    return outcomes


def claim(store: EventStore, round_: int, expected: Expected, writer: int) -> AppendResult:
    return store.append("race-1", [NewEvent("Claimed", {"writer": writer, "round": round_})],
                        expected)


def retry(store: EventStore, key: int, _writer: int) -> AppendResult:
    batch: list[StreamBatch] = [
        (f"a-{key}", [NewEvent("T", {"key": key})], NO_STREAM),
        (f"b-{key}", [NewEvent("T", {"key": key}), NewEvent("U", {})], ANY),
    ]
    return store.append_many(batch, idempotency_key=f"cmd-{key}")


def test_racing_writers_with_the_same_expectation_one_wins(store: EventStore) -> None:
    """Two writers expecting the same version of a stream: exactly one commits each round."""
    rounds = 20
    for round_ in range(rounds):
        expected: Expected = NO_STREAM if round_ == 0 else round_
        outcomes = race(2, partial(claim, store, round_, expected))
        won = [o for o in outcomes if isinstance(o, AppendResult)]
        lost = [o for o in outcomes if isinstance(o, WrongExpectedVersion)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert won[0].stream_versions == {"race-1": round_ + 1}
        assert (lost[0].stream_id, lost[0].expected, lost[0].actual) == (
            "race-1", expected, round_ + 1
        )
    assert store.stream_version("race-1") == rounds
    assert store.head().position == rounds
    assert store.verify().ok


def test_racing_retries_of_one_command_record_once(store: EventStore) -> None:
    """The same idempotency key sent from several threads at once is recorded once."""
    threads = 6
    for key in range(10):
        outcomes = race(threads, partial(retry, store, key))
        results = [o for o in outcomes if isinstance(o, AppendResult)]
        assert len(results) == threads, outcomes
        assert sorted(r.replayed for r in results) == [False] + [True] * (threads - 1)
        first = {(r.first_position, r.last_position, tuple(sorted(r.stream_versions.items())),
                  r.recorded_at) for r in results}
        assert len(first) == 1, first
        assert store.find_commit(f"cmd-{key}") == next(r for r in results if r.replayed)
    assert store.head().position == 10 * 3
    assert store.verify().ok


def test_racing_one_key_with_different_content_records_one(store: EventStore) -> None:
    """Racing uses of one key with different payloads: one records, the rest conflict."""
    threads = 5
    outcomes = race(threads, lambda writer: store.append(
        "a-1", [NewEvent("T", {"writer": writer})], idempotency_key="cmd-1"
    ))
    assert sum(isinstance(o, AppendResult) for o in outcomes) == 1
    assert sum(isinstance(o, IdempotencyConflict) for o in outcomes) == threads - 1
    assert store.head().position == 1


def append_from_process(url: str, writer: int, commits: int) -> None:
    """A separate process with its own EventStore appending to a shared and its own stream."""
    with EventStore.open(url) as store:
        for n in range(commits):
            store.append_many([
                ("shared-p", [NewEvent("Wrote", {"writer": writer, "n": n})], ANY),
                (f"own-p{writer}", [NewEvent("Wrote", {"writer": writer, "n": n})], n),
            ])


def test_writers_in_separate_processes(store: EventStore, database_url: str) -> None:
    """Processes that each open the store append without gaps, duplicates or lost updates."""
    processes, commits = 3, 30
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=append_from_process, args=(database_url, writer, commits))
        for writer in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * processes
    recorded = list(store.read_all())
    assert [e.position for e in recorded] == list(range(1, 2 * processes * commits + 1))
    assert store.stream_version("shared-p") == processes * commits
    for writer in range(processes):
        own = store.read_stream(f"own-p{writer}")
        assert [e.data["n"] for e in own] == list(range(commits))
    assert store.verify().ok


@pytest.mark.parametrize("level", ["repeatable read", "serializable"])
def test_appends_hold_whatever_the_servers_default_isolation(postgres_url: str,
                                                             level: str) -> None:
    """A database whose sessions default to a stricter isolation still takes racing appends."""
    parsed = make_url(postgres_url)
    escaped = level.replace(" ", "\\ ")  # libpq options: a backslash keeps the space
    options = f"{parsed.query['options']} -c default_transaction_isolation={escaped}"
    url = parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
    with EventStore.open(url, create=True) as store:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW default_transaction_isolation").scalar() == (
                level
            )
        run_threads(6, lambda writer: [
            store.append("shared-1", [NewEvent("Wrote", {"writer": writer, "n": n})])
            for n in range(20)
        ])
        assert store.stream_version("shared-1") == 120
        outcomes = race(2, partial(claim, store, 0, NO_STREAM))
        assert sorted(type(o).__name__ for o in outcomes) == ["AppendResult",
                                                              "WrongExpectedVersion"]
        assert store.verify().ok


def test_another_isolation_level_for_the_store_is_refused(postgres_url: str) -> None:
    """Asking the store's engine for an isolation its appends cannot work under is an error."""
    with pytest.raises(ValueError, match="READ COMMITTED"):
        EventStore.open(postgres_url, isolation_level="SERIALIZABLE")


def test_readers_do_not_wait_for_a_writer_holding_the_append_lock(store: EventStore) -> None:
    """While one transaction holds the append lock, reads answer at once and appends queue."""
    store.append("unit-1", [NewEvent("Formed", {})])
    appended = threading.Event()
    with store.engine.begin() as holder:
        if holder.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE took the lock
            holder.exec_driver_sql(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")
        started = time.monotonic()
        assert store.head().position == 1
        assert [e.position for e in store.read_all()] == [1]
        assert store.read_stream("unit-1")[0].type == "Formed"
        assert store.verify().ok
        assert next(store.subscribe(1)).position == 1
        assert time.monotonic() - started < 2
        appender = threading.Thread(
            target=lambda: (store.append("unit-1", [NewEvent("Renamed", {})]), appended.set())
        )
        appender.start()
        assert not appended.wait(0.5), "an append went through while the lock was held"
    appender.join(10)
    assert appended.is_set()
    assert store.stream_version("unit-1") == 2


def test_verify_while_writers_append(store: EventStore) -> None:
    """Checking the chain of a log that is growing reports it intact every time."""
    stop = threading.Event()
    reports = []

    def check(_: int) -> None:
        while not stop.is_set():
            reports.append(store.verify())

    checker = threading.Thread(target=check, args=(0,))
    checker.start()
    try:
        run_threads(4, lambda writer: [
            store.append(f"unit-{writer}", [NewEvent("Wrote", {"n": n})] * (1 + n % 3))
            for n in range(40)
        ])
    finally:
        stop.set()
        checker.join(30)
    assert reports and all(report.ok for report in reports), [r for r in reports if not r.ok]
    assert store.verify().checked == store.head().position
