"""`opslog log` and `opslog history` show what a correction answers, and what was answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from click.testing import CliRunner

from eventstore import EventStore
from opslog.cli import main


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _q1_demo(url: str) -> None:
    """The demo run in July 2018: the Quarter 1 report only, with no correction yet (the
    returns declared later are not yet reported then)."""
    with time_machine.travel(datetime(2018, 7, 10, 9, tzinfo=UTC), tick=False):
        _run("--db", url, "demo", "--no-report")


def _demo_with_a_correction(url: str) -> tuple[int, int]:
    """The sample plus a correction of the ESB acquisition's price."""
    _q1_demo(url)
    with EventStore.open(url) as store:
        (acquired,) = list(store.read_all(types=["AssetAcquired"]))
    commands = [
        {"command": "CorrectEvent", "id": "fix/esb-price", "actor": "recorder.estates",
         "data": {"event_id": str(acquired.event_id), "changes": {"price": "251000000"},
                  "reason": "price as completed"}},
    ]
    lines = "\n".join(json.dumps(command) for command in commands) + "\n"
    result = CliRunner().invoke(main, ["--db", url, "submit", "-"], input=lines)
    assert result.exit_code == 0, result.output
    with EventStore.open(url) as store:
        head = store.head().position
    return acquired.position, head


def test_log_marks_corrections_and_what_they_correct(database_url: str) -> None:
    """The correction's line names the position it corrects; the original says by whom."""
    original, correction = _demo_with_a_correction(database_url)
    entries = [
        json.loads(line)
        for line in _run("--db", database_url, "log", "--format", "jsonl").splitlines()
    ]
    notes = {entry["position"]: entry.get("note") for entry in entries}
    assert notes[correction] == f"corrects #{original}"
    assert notes[original] == f"corrected by #{correction}"
    assert sum(1 for note in notes.values() if note) == 2


def test_log_summaries_come_from_the_catalogue(database_url: str) -> None:
    """Each line's summary is the event type's own one-line description."""
    _q1_demo(database_url)
    entries = [
        json.loads(line)
        for line in _run("--db", database_url, "log", "--type", "ThemeDefined",
                         "--format", "jsonl").splitlines()
    ]
    assert entries[0]["summary"] == "theme 1: Introduction"


def test_history_shows_the_correction_beside_the_original(database_url: str) -> None:
    """A stream's history lists the original and its correction with their cross-references."""
    original, correction = _demo_with_a_correction(database_url)
    output = _run("--db", database_url, "history", "update-esb-acquired", "--format", "json")
    entries = json.loads(output)
    assert [entry.get("note") for entry in entries] == [
        f"corrected by #{correction}", f"corrects #{original}"
    ]


def test_log_table_has_a_note_column_only_with_corrections(database_url: str) -> None:
    """Tables gain a ``note`` column once the log holds a correction, and show the markers."""
    _q1_demo(database_url)
    assert "note" not in _run("--db", database_url, "log", "--limit", "1").splitlines()[0]
    original, correction = _demo_with_a_correction(database_url)
    table = _run("--db", database_url, "log", "--from-position", str(original), "--limit", "1")
    assert table.splitlines()[0].split()[-1] == "note"
    assert f"corrected by #{correction}" in table
