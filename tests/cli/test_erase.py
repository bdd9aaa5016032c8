"""`opslog erase` through the real CLI, on both backends: an admin erases a narrative;
every reader shows the placeholder, the board is unchanged, and everything verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from eventstore import EventStore
from opslog.cli import main
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1

ADMIN = "ops.admin"
TEXT = "In May, the BCU South West went live."
REASON = "a name recorded by mistake"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


@pytest.fixture
def url(database_url: str) -> str:
    writer = open_writer(database_url)
    load_q1(writer)
    writer.store.close()
    made = run(database_url, "init", "--admin", ADMIN)
    assert made.exit_code == 0, made.output
    return database_url


def located(url: str) -> tuple[int, str, int]:
    """The position and stream of the event holding TEXT, and the head."""
    with EventStore.open(url) as store:
        found = next(e for e in store.read_all() if e.data.get("narrative") == TEXT)
        return found.position, found.stream_id, store.head().position


def test_an_admin_erases_a_narrative_and_every_reader_shows_the_placeholder(
        url: str, tmp_path: Path) -> None:
    position, stream, _ = located(url)
    board = json.loads(run(url, "status", "--quarter", "2018-19-Q1", "--format", "json").stdout)
    report = run(url, "report", "--quarter", "2018-19-Q1").output
    assert TEXT in report

    erased = run(url, "erase", str(position), "narrative", "--reason", REASON,
                 "--legal-basis", "UK GDPR Art. 17", "--actor", ADMIN)
    assert erased.exit_code == 0, erased.output
    placeholder = "[erased on "
    assert f"by {ADMIN}: {REASON}]" in erased.output

    assert run(url, "verify").exit_code == 0
    outputs = {
        "report": run(url, "report", "--quarter", "2018-19-Q1").output,
        "log": run(url, "log", "--format", "jsonl").output,
        "history": run(url, "history", stream, "--format", "jsonl").output,
        "diff": run(url, "diff", "--quarter", "2018-19-Q1", "--from",
                    "2018-04-01T00:00:00Z").output,
    }
    for name, output in outputs.items():
        assert TEXT not in output, name
    assert placeholder in outputs["report"] and REASON in outputs["report"]
    assert placeholder in outputs["history"]
    assert "ValueErased" in outputs["log"]
    # projections go on: the board is what it was
    after = json.loads(run(url, "status", "--quarter", "2018-19-Q1", "--format", "json").stdout)
    assert (after["summary"], after["milestones"]) == (board["summary"], board["milestones"])

    exported = tmp_path / "log.jsonl"
    assert run(url, "export", str(exported)).exit_code == 0
    assert TEXT.encode() not in exported.read_bytes()
    checked = CliRunner().invoke(main, ["verify-export", str(exported)])
    assert checked.exit_code == 0, checked.output

    again = run(url, "erase", str(position), "narrative", "--reason", REASON,
                "--legal-basis", "UK GDPR Art. 17", "--actor", ADMIN)
    assert again.exit_code == 1 and "FIELD: " in again.output
    assert "already erased" in again.output


@pytest.mark.parametrize(("args", "message"), [
    (["99999", "narrative", "--reason", REASON, "--legal-basis", "Art. 17"],
     "POSITION: there is no event at position 99999"),
    (["{position}", "narative", "--reason", REASON, "--legal-basis", "Art. 17"],
     "FIELD: the UnitWentLive at position {position} has no field 'narative'"),
    (["{position}", "narrative", "--reason", "  ", "--legal-basis", "Art. 17"],
     "--reason: is required"),
    (["{position}", "narrative", "--reason", REASON, "--legal-basis", ""],
     "--legal-basis: is required"),
    (["{position}", "boroughs", "--reason", REASON, "--legal-basis", "Art. 17"],
     "FIELD: field 'boroughs' of the UnitWentLive at position {position} holds no text"),
])
def test_bad_input_is_one_line_naming_the_field_and_nothing_is_written(
        url: str, args: list[str], message: str) -> None:
    position, _, head = located(url)
    result = run(url, "erase", *(a.format(position=position) for a in args), "--actor", ADMIN)
    assert result.exit_code == 1, result.output
    assert message.format(position=position) in result.output
    assert "Traceback" not in result.output
    assert located(url)[2] == head


def test_only_an_admin_erases(url: str) -> None:
    position, _, head = located(url)
    result = run(url, "erase", str(position), "narrative", "--reason", REASON,
                 "--legal-basis", "Art. 17", "--actor", "recorder.sw")
    assert result.exit_code == 1 and "--actor:" in result.output
    missing = run(url, "erase", str(position), "narrative", "--legal-basis", "Art. 17",
                  "--actor", ADMIN)
    assert missing.exit_code == 2 and "--reason" in missing.output
    assert located(url)[2] == head


def test_erasing_a_value_a_stored_snapshot_shows_warns_that_it_still_holds_it(
        url: str) -> None:
    position, _, _ = located(url)
    made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff",
               "2018-07-31T09:00:00Z", "--actor", ADMIN)
    assert made.exit_code == 0, made.output
    erased = CliRunner().invoke(main, ["--db", url, "erase", str(position), "narrative",
                                       "--reason", REASON, "--legal-basis", "Art. 17",
                                       "--actor", ADMIN])
    assert erased.exit_code == 0, erased.output
    assert "warning: stored snapshots 1 were rendered before this erasure" in erased.stderr
