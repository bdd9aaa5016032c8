"""Check 1: concurrent writer processes and a tailing reader lose and duplicate nothing."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from commands.service import CommandService
from eventstore import EventStore, RecordedEvent
from tests.reliability import processes, workers
from tests.reliability.figures import Figures, scaled
from tests.reliability.plan import ADMIN, first_admin, plan_commands

WRITERS = 8
COMMANDS_PER_WRITER = 500
ACKNOWLEDGED = {"accepted", "already recorded"}


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def setup_plan(store: EventStore) -> set[str]:
    """Record the plan; the ids of its commits (acknowledged to the test itself), the
    operator's making of the admin among them."""
    first_admin(store)
    service = CommandService(store)
    ids = {f"init/admin/{ADMIN}"}
    for command in plan_commands():
        outcome = service.submit(command)
        assert outcome.accepted, outcome.describe()
        ids.add(command["id"])
    return ids


def check_log(events: list[RecordedEvent]) -> dict[str, list[RecordedEvent]]:
    """Positions gapless from 1, each stream's versions contiguous from 1; events by command."""
    assert [event.position for event in events] == list(range(1, len(events) + 1))
    versions: dict[str, list[int]] = defaultdict(list)
    by_command: dict[str, list[RecordedEvent]] = defaultdict(list)
    for event in events:
        versions[event.stream_id].append(event.version)
        by_command[event.metadata["command_id"]].append(event)
    for stream_id, stream_versions in versions.items():
        assert stream_versions == list(range(1, len(stream_versions) + 1)), stream_id
    return by_command


@pytest.mark.slow
def test_writers_race_and_a_tailing_reader_sees_every_position(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    """8 writer processes racing on shared milestones leave each acknowledged command once."""
    writers = WRITERS
    per_writer = scaled(COMMANDS_PER_WRITER)
    with EventStore.open(database_url, create=True) as store:
        plan_ids = setup_plan(store)
    context = processes.context()
    target = context.Value("q", 0)
    ready, start = context.Event(), context.Event()
    seen_path = tmp_path / "reader.txt"
    reader = processes.start(workers.follow_log, database_url, str(seen_path), target, ready)
    assert ready.wait(30), "the reader did not start"
    outs = [tmp_path / f"writer-{worker}.jsonl" for worker in range(writers)]
    started = time.monotonic()
    writer_processes = [
        processes.start(workers.write_commands, database_url, worker, per_writer, str(out),
                        start)
        for worker, out in enumerate(outs)
    ]
    start.set()
    processes.join_all(writer_processes, timeout=600)
    elapsed = time.monotonic() - started

    with EventStore.open(database_url) as store:
        head = store.head().position
        target.value = head
        processes.join_all([reader], timeout=60)
        events = list(store.read_all())
        report = store.verify()

    answers = [answer for out in outs for answer in read_lines(out)]
    assert len(answers) == writers * per_writer, "a writer answered fewer commands than it sent"
    acknowledged = {answer["id"]: answer for answer in answers
                    if answer["status"] in ACKNOWLEDGED}
    never_acknowledged = {answer["id"] for answer in answers} - set(acknowledged)
    by_command = check_log(events)

    # Every acknowledged command is in the log exactly once, where it was told it is.
    for command_id, answer in acknowledged.items():
        written = by_command.get(command_id, [])
        assert [event.position for event in written] == list(
            range(answer["first"], answer["last"] + 1)), command_id
        assert [event.type for event in written] == answer["types"], command_id
    # Nothing else is: no refused command, no command nobody was told about.
    assert set(by_command) == set(acknowledged) | plan_ids
    assert not never_acknowledged & set(by_command)
    # A retry answered "already recorded" pointed at the first recording.
    for answer in answers:
        if answer["kind"] == "retry" and answer["status"] == "already recorded":
            assert answer["first"] == acknowledged[answer["id"]]["first"]
    # The reader was handed every position once, in order, and never one below its last.
    seen = seen_path.read_text(encoding="utf-8").split()
    assert seen[-1] == "end", "the reader did not finish"
    assert [int(position) for position in seen[:-1]] == list(range(1, head + 1))
    assert report.ok, report
    assert report.checked == head

    statuses = Counter(answer["status"] for answer in answers)
    kinds = Counter(answer["kind"] for answer in answers)
    races = Counter(answer["attempts"] for answer in answers
                    if answer["kind"] == "progress" and answer["status"] == "accepted")
    figures.add(
        writers=writers, commands_sent=len(answers), accepted=statuses["accepted"],
        replayed=statuses["already recorded"], refused=statuses["refused"],
        refused_by_rule=sum(1 for a in answers if a["field"] == "as_of"),
        lost_race_refusals=sum(1 for a in answers if a["field"] == "id"),
        never_acknowledged=len(never_acknowledged), retries_sent=kinds["retry"],
        progress_attempts=dict(sorted(races.items())),
        events=head, streams=len({event.stream_id for event in events}),
        reader_positions=len(seen) - 1, seconds=round(elapsed, 1),
        commands_per_second=round(len(answers) / elapsed),
    )
    print(figures)
