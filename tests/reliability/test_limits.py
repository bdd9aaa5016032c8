"""Check 6: input beyond the documented limits is refused before the database is touched,
and a command file of 100,000 lines goes through in the memory of a short one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commands.files import read_commands
from commands.service import CommandService
from eventstore import EventStore, InvalidEvent, NewEvent
from eventstore.limits import (
    MAX_EVENTS_PER_COMMIT,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_PAYLOAD_BYTES,
    MAX_STREAM_ID_LENGTH,
    MAX_TYPE_LENGTH,
)
from eventstore.store import StreamBatch
from tests.reliability.examples import example
from tests.reliability.figures import Figures, scaled
from tests.reliability.plan import first_admin, operational_update, plan_commands

ROOT = Path(__file__).resolve().parents[2]
FILE_LINES = 100_000
SHORT_FILE_LINES = 10_000
VALID_EVERY = 100
"""One line in this many is a valid command (recorded); the rest are refused."""
MEMORY_SLACK_MB = 16


@contextmanager
def connections_taken(store: EventStore) -> Iterator[list[int]]:
    """Count the connections checked out of the store's pool inside the block."""
    taken: list[int] = []

    def checkout(*_args: object) -> None:
        taken.append(1)

    sa.event.listen(store.engine, "checkout", checkout)
    try:
        yield taken
    finally:
        sa.event.remove(store.engine, "checkout", checkout)


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"x": value}
    return value


OVER_THE_LIMITS: list[tuple[str, list[StreamBatch], str | None, str, int]] = [
    ("payload", [("big-1", [NewEvent("Big", {"text": "x" * MAX_PAYLOAD_BYTES})], 0)], None,
     "streams[0].events[0].data", MAX_PAYLOAD_BYTES),
    ("payload in the metadata", [("big-2", [
        NewEvent("Big", {}, {"note": "é" * (MAX_PAYLOAD_BYTES // 2)})], 0)], None,
     "streams[0].events[0].data", MAX_PAYLOAD_BYTES),
    ("events in one commit", [("many-1", [NewEvent("Small", {})] * (MAX_EVENTS_PER_COMMIT + 1),
                               0)], None, "events", MAX_EVENTS_PER_COMMIT),
    ("events across streams", [
        (f"many-{n}", [NewEvent("Small", {})] * (MAX_EVENTS_PER_COMMIT // 2), 0)
        for n in range(3)], None, "events", MAX_EVENTS_PER_COMMIT),
    ("stream id", [("s-" + "x" * MAX_STREAM_ID_LENGTH, [NewEvent("T", {})], 0)], None,
     "streams[0].stream_id", MAX_STREAM_ID_LENGTH),
    ("stream id of a million characters", [("s" * 1_000_000, [NewEvent("T", {})], 0)], None,
     "streams[0].stream_id", MAX_STREAM_ID_LENGTH),
    ("type", [("t-1", [NewEvent("T" * (MAX_TYPE_LENGTH + 1), {})], 0)], None,
     "streams[0].events[0].type", MAX_TYPE_LENGTH),
    ("nesting", [("n-1", [NewEvent("T", nested(MAX_NESTING_DEPTH + 1))], 0)], None,
     "streams[0].events[0].data", MAX_NESTING_DEPTH),
    ("idempotency key", [("k-1", [NewEvent("T", {})], 0)], "k" * (MAX_IDEMPOTENCY_KEY_LENGTH + 1),
     "idempotency_key", MAX_IDEMPOTENCY_KEY_LENGTH),
]


@pytest.mark.parametrize(("what", "batches", "key", "field", "limit"), OVER_THE_LIMITS,
                         ids=[case[0] for case in OVER_THE_LIMITS])
def test_the_store_refuses_what_is_over_its_limits_without_a_connection(
    store: EventStore, what: str, batches: list[StreamBatch], key: str | None, field: str,
    limit: int
) -> None:
    """Each limit: InvalidEvent naming the field and the limit, and no connection taken."""
    store.append("before-1", [NewEvent("T", {})])
    before = store.head()
    with connections_taken(store) as taken, pytest.raises(InvalidEvent) as refused:
        store.append_many(batches, idempotency_key=key)
    assert taken == [], f"{what}: the database was touched"
    assert refused.value.field.startswith(field), refused.value
    assert str(limit) in refused.value.reason, refused.value
    assert store.head() == before


@pytest.mark.slow
def test_just_within_the_limits_is_recorded(store: EventStore) -> None:
    """The limits are where they say: the largest allowed commit goes in."""
    metadata_size = len('{}')
    data = {"text": "x" * (MAX_PAYLOAD_BYTES - len('{"text":""}') - metadata_size)}
    result = store.append_many(
        [("s-" + "x" * (MAX_STREAM_ID_LENGTH - 2), [NewEvent("T" * MAX_TYPE_LENGTH, data)], 0),
         ("many-1", [NewEvent("Small", nested(MAX_NESTING_DEPTH))] * (MAX_EVENTS_PER_COMMIT - 1),
          0)],
        idempotency_key="k" * MAX_IDEMPOTENCY_KEY_LENGTH)
    assert result.last_position == MAX_EVENTS_PER_COMMIT
    assert store.verify().ok


def test_oversized_commands_are_refused_naming_a_field(store: EventStore,
                                                       figures: Figures) -> None:
    """A command whose fields are each within bounds but whose event is over the payload
    limit is refused on ``data``; a field over its own bound, on that field; nothing is
    written, and a field over its bound never reaches the database."""
    first_admin(store)
    service = CommandService(store)
    for command in plan_commands():
        assert service.submit(command).accepted
    before = store.head()
    overview = example("WriteQuarterOverview", 1).command
    overview["data"]["introduction"] = ["é" * 20_000] * 30
    overview["data"]["paragraphs"] = [{"text": "é" * 20_000}] * 30
    outcome = service.submit(overview)
    assert not outcome.accepted
    assert outcome.field == "data" and f"limit is {MAX_PAYLOAD_BYTES}" in (outcome.reason or "")
    huge = operational_update("limits/huge", "north", "huge", "A long story")
    huge["data"]["narrative"] = "x" * 5_000_000
    with connections_taken(store) as taken:
        refused = service.submit(huge)
    assert not refused.accepted and refused.field == "narrative", refused.describe()
    assert taken == [], "a command over a field's bound touched the database"
    assert store.head() == before
    figures.add(overview_bytes=len(json.dumps(overview)), overview_refused_on=outcome.field,
                narrative_chars=5_000_000, narrative_refused_on=refused.field)


def write_command_file(path: Path, lines: int) -> int:
    """`lines` commands: one in `VALID_EVERY` a valid update, the others refused by the
    schema in turn (a bad date, a negative count, float money, an unknown field)."""
    breakers = [
        ("effective_date", "2018-02-30"),
        ("facts", [{"name": "officers", "kind": "count", "value": -5}]),
        ("facts", [{"name": "cost", "kind": "money", "value": 250000000.0}]),
        ("colour", "red"),
    ]
    valid = 0
    with path.open("w", encoding="utf-8") as file:
        for command in plan_commands():
            file.write(json.dumps(command) + "\n")
        for n in range(lines - len(plan_commands())):
            command = operational_update(f"big/{n}", "north", f"big-{n}",
                                         f"Update {n}: “quoted” – £{n}")
            if n % VALID_EVERY:
                key, value = breakers[n % len(breakers)]
                command["data"][key] = value
            else:
                valid += 1
            file.write(json.dumps(command, ensure_ascii=False) + "\n")
    return valid + len(plan_commands())


def submit_file(url: str, path: Path) -> tuple[int, int, list[str]]:
    """Run ``opslog submit FILE`` on a new database in a process of its own: its exit
    code, its peak resident memory in MiB, and its output lines."""
    with EventStore.open(url, create=True) as store:
        first_admin(store)
    wrapper = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], stdout=open(sys.argv[-1] + '.out', 'w'))\n"
               "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    opslog = [sys.executable, "-c", "from opslog.cli import main; main()"]
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *opslog, "--db", url, "submit", str(path)],
        capture_output=True, text=True, cwd=ROOT, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    code, peak_kib = result.stdout.split()
    output = Path(str(path) + ".out").read_text(encoding="utf-8").splitlines()
    return int(code), int(peak_kib) // 1024, output


@pytest.mark.slow
def test_a_long_command_file_streams_in_bounded_memory(tmp_path: Path, figures: Figures
                                                        ) -> None:
    """100,000 lines take no more memory than 10,000: the file is read a line at a time."""
    lines = scaled(FILE_LINES)
    short, long = tmp_path / "short.jsonl", tmp_path / "long.jsonl"
    write_command_file(short, SHORT_FILE_LINES)
    valid = write_command_file(long, lines)
    code, short_peak, short_output = submit_file(f"sqlite:///{tmp_path / 'short.db'}", short)
    assert code == 1 and len(short_output) == SHORT_FILE_LINES
    code, long_peak, output = submit_file(f"sqlite:///{tmp_path / 'long.db'}", long)
    assert code == 1, "refusals exit 1"
    assert len(output) == lines
    assert sum(1 for line in output if ": accepted " in line) == valid
    assert all(line.startswith(f"line {n}: ") for n, line in enumerate(output, start=1))
    size_mb = long.stat().st_size / 2**20
    assert long_peak - short_peak < MEMORY_SLACK_MB, (short_peak, long_peak, size_mb)
    figures.add(lines=lines, file_mb=round(size_mb, 1), recorded=valid,
                refused=lines - valid, peak_rss_mb=long_peak,
                peak_rss_mb_for_10000_lines=short_peak)
    print(figures)


@pytest.mark.slow
def test_the_reader_holds_one_line_at_a_time(tmp_path: Path, figures: Figures) -> None:
    """Reading every command of a 100,000-line file allocates a few lines' worth at most."""
    path = tmp_path / "commands.jsonl"
    write_command_file(path, scaled(FILE_LINES))
    tracemalloc.start()
    try:
        with path.open("rb") as file:
            count = sum(1 for _ in read_commands(file))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == scaled(FILE_LINES)
    assert peak < 1_000_000, f"{peak} bytes at peak for a {path.stat().st_size}-byte file"
    figures.add(lines=count, file_bytes=path.stat().st_size, peak_traced_bytes=peak)
    print(figures)


