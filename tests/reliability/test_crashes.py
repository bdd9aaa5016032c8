"""Check 2: writers and the projection runner killed with SIGKILL leave nothing partial."""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore, schema
from projections.readmodels.runner import Runner
from projections.readmodels.schema import alembic_config
from tests.projections.builders import open_writer
from tests.projections.random_log import write_random_log
from tests.projections.tables_view import board_table, facts_table, live_generation
from tests.reliability import processes, workers
from tests.reliability.figures import Figures, scaled
from tests.reliability.plan import first_admin, plan_commands
from tests.reliability.workload import crash_command, crash_commit

KILLS = 60
LANES = 2
"""Writers running at once. Both start together; each is then killed at its own random
moment, so one often dies while the other waits for the append lock, or holds it."""
MAX_DELAY = 0.12
RUNNER_KILLS = 15
RUNNER_LOG_STEPS = 600


def read_journal(path: Path) -> list[dict[str, Any]]:
    """A writer's begin/ack lines; a last line cut short by the kill is ignored."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines[:-1]]


def next_step(lane: int, journal: Path) -> int:
    """Where a replacement writer starts: after the last step its lane began.

    The step in flight when its writer was killed is left for the final resubmission,
    so that whether it committed is found out from the log, as a client would have to.
    """
    begun = [line["begin"] for line in read_journal(journal) if "begin" in line]
    return begun[-1] + LANES if begun else lane


@pytest.mark.slow
def test_killed_writers_leave_no_partial_commit_and_resubmission_records_once(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    """SIGKILL at random moments mid-commit: all of a commit or none, then each once."""
    kills = LANES * math.ceil(scaled(KILLS, minimum=50) / LANES)
    rng = random.Random(20180701)
    with EventStore.open(database_url, create=True) as store:
        first_admin(store)
        service = CommandService(store)
        for command in plan_commands():
            assert service.submit(command).accepted
    journals = [tmp_path / f"lane-{lane}.jsonl" for lane in range(LANES)]
    context = processes.context()

    started = time.monotonic()
    for _cycle in range(kills // LANES):
        ready = [context.Event() for _ in range(LANES)]
        go = context.Event()
        running = [processes.start(workers.crash_writer, database_url,
                                   next_step(lane, journals[lane]), LANES,
                                   str(journals[lane]), ready[lane], go)
                   for lane in range(LANES)]
        assert all(event.wait(60) for event in ready), "a writer did not start"
        go.set()
        for process in running:
            time.sleep(rng.uniform(0, MAX_DELAY))
            processes.kill(process)
    elapsed = time.monotonic() - started

    lines = [line for journal in journals for line in read_journal(journal)]
    begun = {line["begin"]: line["kind"] for line in lines if "begin" in line}
    acked = {line["ack"]: line for line in lines if "ack" in line}
    in_flight = sorted(set(begun) - set(acked))

    with EventStore.open(database_url) as store:
        before = list(store.read_all())
        report = store.verify()
        assert report.ok, report
        by_commit = group(before)
        # No partial commit: each commit's events are all there, or none is.
        lost: list[int] = []
        for index, kind in begun.items():
            key, size = expected_size(index, kind)
            found = len(by_commit.get(key, []))
            assert found in (0, size), f"step {index}: {found} of {size} events"
            assert (found > 0) == (store.find_commit(key) is not None), key
            if index in acked:
                assert found == size, f"step {index} was acknowledged but is missing"
            elif not found:
                lost.append(index)
        # Resubmit every step with its id: each is then recorded exactly once.
        service = CommandService(store)
        replays: Counter[bool] = Counter()
        for index, kind in sorted(begun.items()):
            if kind == "commit":
                key, batches = crash_commit(index)
                replays[store.append_many(batches, idempotency_key=key).replayed] += 1
            else:
                outcome = service.submit(crash_command(index))
                assert outcome.accepted, outcome.describe()
                replays[outcome.status is Status.REPLAYED] += 1
        after = list(store.read_all())
        final = store.verify()
    assert final.ok, final
    by_commit = group(after)
    for index, kind in begun.items():
        key, size = expected_size(index, kind)
        assert len(by_commit[key]) == size, f"step {index} recorded {len(by_commit[key])} times"
    assert replays[False] == len(lost)
    assert len(after) == len(before) + sum(expected_size(i, begun[i])[1] for i in lost)

    figures.add(
        kills=kills, lanes=LANES, seconds=round(elapsed, 1), steps_begun=len(begun),
        steps_acknowledged=len(acked),
        multi_stream_commits=sum(1 for kind in begun.values() if kind == "commit"),
        commands=sum(1 for kind in begun.values() if kind == "command"),
        killed_mid_step=len(in_flight), of_which_committed=len(in_flight) - len(lost),
        of_which_rolled_back=len(lost),
        resubmitted=len(begun), resubmissions_replayed=replays[True],
        resubmissions_recorded=replays[False], events=len(after),
    )
    print(figures)


def group(events: list[Any]) -> dict[str, list[Any]]:
    """Events by the key of the step that wrote them (commit key or command id)."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        metadata = event.metadata
        key = metadata.get("key") or metadata.get("command_id")
        grouped[key].append(event)
    return grouped


def expected_size(index: int, kind: str) -> tuple[str, int]:
    """The step's key and how many events it writes."""
    if kind == "commit":
        key, batches = crash_commit(index)
        return key, sum(len(events) for _, events, _ in batches)
    return str(crash_command(index)["id"]), 1



@pytest.mark.slow
def test_a_runner_killed_mid_catch_up_resumes_to_a_fresh_rebuild(
    database_url: str, figures: Figures
) -> None:
    """SIGKILL the projection runner again and again; the read models end as a rebuild."""
    kills = scaled(RUNNER_KILLS)
    rng = random.Random(20180930)
    writer = open_writer(database_url)
    schema.upgrade(writer.store.engine, alembic_config())
    write_random_log(writer, seed=11, steps=scaled(RUNNER_LOG_STEPS))
    store = writer.store
    head = store.head().position
    Runner(store).catch_up(to_position=1)
    context = processes.context()
    stopped_at = []
    for _kill in range(kills):
        ready = context.Event()
        process = processes.start(workers.catch_up, database_url, 3, ready)
        assert ready.wait(60), "the runner did not start"
        time.sleep(rng.uniform(0.005, 0.08))
        processes.kill(process)
        stopped_at.append(live_generation(store)[1])
    mid_run = sum(1 for position in stopped_at if position < head)
    assert stopped_at == sorted(stopped_at), "the checkpoint went backwards"
    assert mid_run >= kills * 0.8, f"most kills should land mid catch-up: {stopped_at}"

    Runner(store, batch_size=50).catch_up()
    generation, position, _ = live_generation(store)
    assert position == head
    resumed = (board_table(store, generation), facts_table(store, generation))
    Runner(store).rebuild()
    rebuilt = live_generation(store)[0]
    assert rebuilt != generation
    assert (board_table(store, rebuilt), facts_table(store, rebuilt)) == resumed
    store.close()

    figures.add(kills=kills, killed_mid_catch_up=mid_run, events=head,
                checkpoints_at_kills=stopped_at, board_rows=len(resumed[0]),
                fact_rows=len(resumed[1]))
    print(figures)
