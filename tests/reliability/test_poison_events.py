"""A poison event: one event the code cannot read must not stop the read side for ever.

The store takes any type and JSON object (it knows no domain words), so an undecodable
event gets into the log by a raw append, by an import from another version, or by SQL.
Every reader goes on past it, quarantines or records it as a gap, and says so: in the
report (Markdown, HTML, JSON) and on standard error. Broken variant: the code before the
quarantine, where `status`, `report`, `projections catch-up` and `snapshot create` all
fail with "cannot be applied" at every later position.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from eventstore import EventStore, NewEvent
from opslog.cli import main
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1, update

GAP = "1 event at position {position} could not be read: "
AFTER = "Recorded after the poison event"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def append_poison(store: EventStore) -> int:
    """A known type whose payload the catalogue refuses, appended straight to the store."""
    result = store.append("milestone-vctf", [NewEvent(
        type="MilestoneProgressReported", data={"milestone_id": "vctf", "status": 42})])
    return result.last_position


def write_poisoned(url: str) -> int:
    """The Q1 log, then a poison event, then a valid update the reports must still show."""
    writer = open_writer(url)
    load_q1(writer)
    position = append_poison(writer.store)
    writer.one(update("after-poison", "violent-crime", "frontline", AFTER, "2018-06-25",
                      "An update recorded after the poison event."))
    writer.store.close()
    return position


@pytest.fixture
def poisoned(database_url: str) -> tuple[str, int]:
    position = write_poisoned(database_url)
    assert run(database_url, "init", "--admin", "analyst").exit_code == 0
    return database_url, position


def assert_reads_past(url: str, position: int) -> None:
    gap = GAP.format(position=position)
    status = run(url, "status", "--quarter", "2018-19-Q1")
    assert status.exit_code == 0, status.output
    assert gap in status.stderr
    for output in ("md", "html", "json"):
        report = run(url, "report", "--quarter", "2018-19-Q1", "--format", output)
        assert report.exit_code == 0, report.output
        assert gap in report.stdout, output
        assert AFTER in report.stdout, output
        assert gap in report.stderr
    form = json.loads(run(url, "report", "--quarter", "2018-19-Q1", "--format", "json").stdout)
    assert form["gaps"][0]["position"] == position


def test_every_reader_goes_past_a_poison_event_and_shows_the_gap(
        poisoned: tuple[str, int]) -> None:
    """Folded from the log, resumed from a snapshot, and read from the read models: each
    answers past the poison event and names it."""
    url, position = poisoned
    assert_reads_past(url, position)  # folded from the log

    made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", "now",
               "--actor", "analyst")
    assert made.exit_code == 0, made.output
    assert_reads_past(url, position)  # resumed from the snapshot

    caught = run(url, "projections", "catch-up")
    assert caught.exit_code == 0, caught.output
    assert f"quarantined: {GAP.format(position=position)}" in caught.stderr
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT position, reason FROM projection_quarantine")).all()
    engine.dispose()
    assert [row[0] for row in rows] == [position] and rows[0][1]
    status = run(url, "projections", "status")
    assert status.exit_code == 0
    assert "behind by 0" in status.stdout
    assert f"quarantined: {GAP.format(position=position)}" in status.stdout
    assert_reads_past(url, position)  # from the read models

    verified = run(url, "verify")  # the quarantine and the snapshot's gap are the log's too
    assert verified.exit_code == 0, verified.output
    assert "projection_quarantine: 1 rows match" in verified.stdout
    assert "snapshots: 1 recomputed from the log, all match" in verified.stdout


def test_an_import_holding_an_undecodable_event_is_refused(
        tmp_path: Path, database_url: str) -> None:
    """The import names the line, and the target stays empty."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    position = write_poisoned(source)
    exported = tmp_path / "log.jsonl"
    assert run(source, "export", str(exported)).exit_code == 0
    target = database_url
    assert run(target, "init").exit_code == 0
    refused = run(target, "import", str(exported))
    assert refused.exit_code != 0
    assert f"line {position + 1} (position {position})" in refused.output
    assert "MilestoneProgressReported" in refused.output
    assert "Traceback" not in refused.output
    store = EventStore.open(target)
    try:
        assert store.head().position == 0
    finally:
        store.close()
