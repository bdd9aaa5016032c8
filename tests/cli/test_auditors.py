"""The auditors' commands through the real CLI: verify, export, import, log and history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from eventstore import EventStore, NewEvent
from opslog.cli import main
from opslog.database import initialise
from projections.readmodels.runner import Runner
from projections.readmodels.tables import quarantine
from tests.eventstore.tampering import drop_immutability
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1

FIRST_RECORDED = datetime(2018, 4, 2, 9, 0, tzinfo=UTC)


class DailyClock:
    """Each commit is recorded one day after the one before, from 2 April 2018, 09:00 UTC."""

    def __init__(self) -> None:
        self.next = FIRST_RECORDED

    def __call__(self) -> datetime:
        moment, self.next = self.next, self.next + timedelta(days=1)
        return moment


def fill(url: str) -> None:
    """Six events in six daily commits, across four streams, three categories and units."""
    def meta(actor: str, unit: str) -> dict[str, str]:
        return {"actor": actor, "unit": unit}

    with EventStore.open(url, create=True, clock=DailyClock()) as store:
        store.append("milestone-2018-19-q1-vctf", [NewEvent(
            "MilestoneScheduled", {"title": "Launch of the VCTF [bold]", "quarter": "2018-19 Q1"},
            meta("perf.team", "performance"), datetime(2018, 4, 1, tzinfo=UTC))])
        store.append("bcu-south-west", [NewEvent(
            "UnitWentLive", {"boroughs": ["Kingston", "Merton"], "text": "went\nlive"},
            meta("sw.lead", "bcu-sw"), datetime(2018, 5, 1, 10, tzinfo=UTC))])
        store.append("milestone-2018-19-q1-vctf", [NewEvent(
            "MilestoneProgressReported", {"status": "delivered"}, meta("vctf.lead", "vctf"))])
        store.append("estate-esb", [NewEvent(
            "AssetAcquired", {"price": "£250m"}, meta("estates", "estates"))])
        store.append("bcu-south-west", [NewEvent(
            "UnitRenamed", {"name": "South West"}, meta("sw.lead", "bcu-sw"))])
        store.append("milestone-2018-19-q1-ivma", [NewEvent(
            "MilestoneScheduled", {"title": "IVMA rollout"}, meta("perf.team", "performance"))])


@pytest.fixture
def log_url(database_url: str) -> str:
    """A database on each backend holding the six-event log."""
    fill(database_url)
    return database_url


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def opslog(runner: CliRunner, url: str | None, *args: str) -> Result:
    """Run ``opslog [--db url] args`` and check it never ends in a traceback."""
    result = runner.invoke(main, [*(["--db", url] if url else []), *args], prog_name="opslog")
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.exception
    return result


def records(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def positions(result: Result) -> list[int]:
    return [record["position"] for record in records(result)]


def sqlite_in(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


# -- verify --------------------------------------------------------------------------------


def test_verify_intact_log(runner: CliRunner, log_url: str) -> None:
    """An intact log prints events checked, head position and hash, then what it checked
    of the read side, and exits 0."""
    with EventStore.open(log_url) as store:
        head = store.head()
    result = opslog(runner, log_url, "verify")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "chain intact", "events checked: 6", "head position: 6", f"head hash: {head.hash}",
        "read models: not built (nothing to check)", "snapshots: none (nothing to check)"]


def test_verify_chain_only_leaves_the_read_side_out(runner: CliRunner, log_url: str) -> None:
    """``--chain-only`` checks the log alone: read models edited behind the runner's back
    (the six events, none of the catalogue's, are all quarantined: a reason is changed)
    fail the full verify, not the chain-only one, which prints only the chain's lines."""
    with EventStore.open(log_url) as store:
        head = store.head()
        initialise(store)
        Runner(store).rebuild()
        with store.engine.begin() as connection:
            connection.execute(sa.update(quarantine).values(reason="nothing wrong"))
    full = opslog(runner, log_url, "verify")
    assert full.exit_code == 1, full.stdout
    assert any(line.startswith("read models DIFFER") for line in full.stdout.splitlines())
    chain = opslog(runner, log_url, "verify", "--chain-only")
    assert chain.exit_code == 0, chain.output
    assert chain.stdout.splitlines() == [
        "chain intact", "events checked: 6", "head position: 6", f"head hash: {head.hash}"]


def test_verify_broken_log_names_the_first_bad_position(runner: CliRunner, log_url: str) -> None:
    """A row altered behind the store's back is named by position and problem; exit 1."""
    with EventStore.open(log_url) as store:
        drop_immutability(store.engine)
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE events SET data = '{\"status\":\"on track\"}' WHERE position = 3")
    result = opslog(runner, log_url, "verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "chain BROKEN at position 3: field 'status' does not match its digest")
    assert lines[1] == "events checked: 2 (intact up to position 2)"
    assert lines[2] == "head position: 6"
    later = opslog(runner, log_url, "verify", "--from-position", "4")
    assert later.exit_code == 0
    assert "events checked: 3" in later.stdout


def test_verify_from_beyond_the_head_says_how_long_the_log_is(runner: CliRunner,
                                                              log_url: str) -> None:
    """``--from-position 999`` on the six-event log: one line with its length; exit 1."""
    result = opslog(runner, log_url, "verify", "--from-position", "999")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].endswith(
        "cannot check from position 999: the log has only 6 events")
    assert "998" not in result.output


def test_verify_needs_an_initialised_database(runner: CliRunner, tmp_path: Path) -> None:
    """A database with no log says to run init, in one line, exit 1."""
    result = opslog(runner, sqlite_in(tmp_path, "none.db"), "verify")
    assert result.exit_code == 1
    assert "opslog init" in result.output


# -- export, verify-export, import ---------------------------------------------------------


def test_export_then_verify_export(runner: CliRunner, log_url: str, tmp_path: Path) -> None:
    """An export is written whole and verifies on its own, with the log's head hash."""
    with EventStore.open(log_url) as store:
        head = store.head()
    path = tmp_path / "log.jsonl"
    result = opslog(runner, log_url, "export", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"exported 6 events (positions 1 to 6) to {path}", f"head hash: {head.hash}"]
    assert len(path.read_bytes().splitlines()) == 7
    checked = opslog(runner, None, "verify-export", str(path))
    assert checked.exit_code == 0
    assert checked.stdout.splitlines() == [
        "export intact", "events checked: 6", "head position: 6", f"head hash: {head.hash}"]


def test_export_until_position(runner: CliRunner, log_url: str, tmp_path: Path) -> None:
    """``--until-position`` exports a prefix of the log with the hash it had there."""
    path = tmp_path / "first-three.jsonl"
    result = opslog(runner, log_url, "export", str(path), "--until-position", "3")
    assert result.exit_code == 0, result.output
    header = json.loads(path.read_bytes().splitlines()[0])
    with EventStore.open(log_url) as store:
        assert (header["head_position"], header["head_hash"]) == (3, store.hash_at(3))


def test_export_refuses_to_overwrite_without_force(runner: CliRunner, log_url: str,
                                                  tmp_path: Path) -> None:
    """An existing file is kept unless ``--force`` is given."""
    path = tmp_path / "log.jsonl"
    path.write_text("keep me")
    refused = opslog(runner, log_url, "export", str(path))
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    assert path.read_text() == "keep me"
    forced = opslog(runner, log_url, "export", str(path), "--force")
    assert forced.exit_code == 0
    assert path.read_bytes().startswith(b'{"format":"opslog-export"')


def test_export_beyond_the_head_leaves_no_file(runner: CliRunner, log_url: str,
                                              tmp_path: Path) -> None:
    """A position past the head is a one-line error, and no partial file is left behind."""
    path = tmp_path / "log.jsonl"
    result = opslog(runner, log_url, "export", str(path), "--until-position", "99")
    assert result.exit_code == 1
    assert "outside the log" in result.output
    assert not path.exists() and not (tmp_path / "log.jsonl.partial").exists()


@pytest.fixture
def exported(runner: CliRunner, tmp_path: Path) -> Path:
    """An export of the six-event log, made from a SQLite database."""
    source = sqlite_in(tmp_path, "source.db")
    fill(source)
    path = tmp_path / "source.jsonl"
    assert opslog(runner, source, "export", str(path)).exit_code == 0
    return path


def test_verify_export_needs_no_database(runner: CliRunner, exported: Path) -> None:
    """verify-export works with ``--db`` pointing at a database that cannot be reached."""
    result = opslog(runner, "postgresql+psycopg://nobody@127.0.0.1:1/none",
                    "verify-export", str(exported))
    assert result.exit_code == 0
    assert result.stdout.startswith("export intact")


def test_verify_export_names_a_changed_line(runner: CliRunner, exported: Path) -> None:
    """One changed byte is named by line and position; exit 1."""
    content = exported.read_bytes()
    exported.write_bytes(content.replace(b"Kingston", b"Kingstom"))
    result = opslog(runner, None, "verify-export", str(exported))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "export BROKEN at line 3 (position 2): field 'boroughs' does not match its digest "
        "(its value was altered)")


def test_verify_export_of_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A file that does not exist is a usage error naming the argument."""
    result = opslog(runner, None, "verify-export", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_import_into_an_empty_database(runner: CliRunner, store: EventStore,
                                       database_url: str, tmp_path: Path) -> None:
    """Import on each backend reproduces the source's head hash and reports the check.

    The source is a log of events the catalogue reads (import refuses any it cannot:
    `tests/reliability/test_poison_events.py`), not the six-event log above.
    """
    source_url = sqlite_in(tmp_path, "readable.db")
    writer = open_writer(source_url)
    load_q1(writer)
    head = writer.store.head()
    writer.store.close()
    exported = tmp_path / "readable.jsonl"
    assert opslog(runner, source_url, "export", str(exported)).exit_code == 0
    result = opslog(runner, database_url, "import", str(exported))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"imported {head.position} events from {exported}", "chain intact",
        f"events checked: {head.position}", f"head position: {head.position}",
        f"head hash: {head.hash}"]
    assert store.head() == head


def test_import_into_a_non_empty_database_is_refused(runner: CliRunner, exported: Path,
                                                     log_url: str) -> None:
    """A database that already holds a log is refused in one line and left as it was."""
    with EventStore.open(log_url) as store:
        before = list(store.read_all())
    result = opslog(runner, log_url, "import", str(exported))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: import refused: the target log is not empty (head position 6): "
        "import only into a new, empty database"]
    with EventStore.open(log_url) as store:
        assert list(store.read_all()) == before


def test_import_of_a_changed_file_is_refused(runner: CliRunner, exported: Path,
                                            store: EventStore, database_url: str) -> None:
    """A changed file is refused with its line and position, and nothing is written."""
    lines = exported.read_bytes().splitlines(keepends=True)
    exported.write_bytes(b"".join([lines[0], lines[1], lines[3], lines[2], *lines[4:]]))
    result = opslog(runner, database_url, "import", str(exported))
    assert result.exit_code == 1
    assert "import refused: line 3 (position 2): holds position 3 where 2 was expected" in (
        result.output)
    assert store.head().position == 0


def test_import_needs_init_first(runner: CliRunner, exported: Path, tmp_path: Path) -> None:
    """Importing into a database with no tables says to run init."""
    result = opslog(runner, sqlite_in(tmp_path, "bare.db"), "import", str(exported))
    assert result.exit_code == 1
    assert "opslog init" in result.output


# -- log -----------------------------------------------------------------------------------


def test_log_lists_the_whole_history_oldest_first(runner: CliRunner, log_url: str) -> None:
    """Every event, in position order, with times, stream, version, actor, unit and summary."""
    found = records(opslog(runner, log_url, "log", "--format", "jsonl"))
    assert [record["position"] for record in found] == [1, 2, 3, 4, 5, 6]
    second = found[1]
    assert {key: second[key] for key in (
        "stream_id", "version", "type", "actor", "unit", "recorded_at", "occurred_at", "summary"
    )} == {
        "stream_id": "bcu-south-west", "version": 1, "type": "UnitWentLive",
        "actor": "sw.lead", "unit": "bcu-sw",
        "recorded_at": "2018-04-03T09:00:00.000000Z",
        "occurred_at": "2018-05-01T10:00:00.000000Z",
        "summary": 'boroughs=["Kingston","Merton"], text=went live',
    }
    assert second["data"] == {"boroughs": ["Kingston", "Merton"], "text": "went\nlive"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--stream", "bcu-south-west"], [2, 5]),
        (["--category", "milestone"], [1, 3, 6]),
        (["--type", "MilestoneScheduled"], [1, 6]),
        (["--unit", "bcu-sw"], [2, 5]),
        (["--actor", "perf.team"], [1, 6]),
        (["--since", "2018-04-04T09:00:00Z"], [3, 4, 5, 6]),
        (["--since", "2018-04-04T09:00:00.000001Z"], [4, 5, 6]),
        (["--since", "2018-04-04T10:00:00+01:00"], [3, 4, 5, 6]),
        (["--until", "2018-04-04T09:00:00+00:00"], [1, 2, 3]),
        (["--since", "2018-04-03T00:00:00Z", "--until", "2018-04-05T00:00:00Z"], [2, 3]),
        (["--from-position", "4"], [4, 5, 6]),
        (["--limit", "2"], [1, 2]),
        (["--reverse"], [6, 5, 4, 3, 2, 1]),
        (["--reverse", "--limit", "2"], [6, 5]),
        (["--category", "milestone", "--reverse", "--limit", "2"], [6, 3]),
        (["--stream", "bcu-south-west", "--since", "2018-04-04T00:00:00Z"], [5]),
        (["--stream", "bcu-south-west", "--category", "milestone"], []),
        (["--actor", "nobody"], []),
        (["--from-position", "99"], []),
        (["--since", "0001-01-01T00:00:00Z", "--until", "9999-12-31T23:59:59Z"],
         [1, 2, 3, 4, 5, 6]),
    ],
)
def test_log_filters_and_order(runner: CliRunner, log_url: str, options: list[str],
                               expected: list[int]) -> None:
    """Each filter narrows the log, and ``--reverse`` / ``--limit`` order and cut it."""
    assert positions(opslog(runner, log_url, "log", "--format", "jsonl", *options)) == expected


def test_log_json_is_one_array_of_the_jsonl_records(runner: CliRunner, log_url: str) -> None:
    """``--format json`` holds the same records as ``jsonl``, as one JSON array."""
    as_json = opslog(runner, log_url, "log", "--format", "json", "--category", "milestone")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == records(
        opslog(runner, log_url, "log", "--format", "jsonl", "--category", "milestone"))
    empty = opslog(runner, log_url, "log", "--format", "json", "--actor", "nobody")
    assert json.loads(empty.stdout) == []


def test_log_table(runner: CliRunner, log_url: str) -> None:
    """The table has a column per fact and shows payload text literally, on one line."""
    result = opslog(runner, log_url, "log")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["position", "recorded", "effective", "stream", "version",
                                "type", "actor", "unit", "channel", "summary"]
    body = [line.split() for line in lines[2:] if line.strip()]
    assert [row[0] for row in body] == ["1", "2", "3", "4", "5", "6"]
    assert body[1][:10] == ["2", "2018-04-03", "09:00:00Z", "2018-05-01", "10:00:00Z",
                            "bcu-south-west", "1", "UnitWentLive", "sw.lead", "bcu-sw"]
    assert body[1][10] == "-"  # written with no channel in its metadata
    assert "title=Launch of the VCTF [bold]" in result.stdout


def test_log_with_nothing_to_show(runner: CliRunner, log_url: str) -> None:
    """No match is not an error: the table says so on stderr and exits 0."""
    result = opslog(runner, log_url, "log", "--type", "NoSuchType")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no events match\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "2018-04-04"], "Invalid value for '--since': '2018-04-04' has no time zone"),
        (["--until", "2018-04-04T09:00:00"], "Invalid value for '--until'"),
        (["--since", "yesterday"], "'yesterday' is not an ISO 8601 time"),
        (["--since", "2018-04-05T00:00:00Z", "--until", "2018-04-04T00:00:00Z"],
         "Invalid value for '--until': is before --since"),
        (["--until", "9999-12-31T23:59:59-01:00"], "is out of range in UTC"),
        (["--since", "0001-01-01T00:30:00+01:00"], "is out of range in UTC"),
        (["--limit", "0"], "Invalid value for '--limit'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_log_bad_options(runner: CliRunner, log_url: str, options: list[str],
                         message: str) -> None:
    """A naive or malformed time, or a bad value, is one clear line naming the option."""
    result = opslog(runner, log_url, "log", *options)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr


# -- history -------------------------------------------------------------------------------


def test_history_of_one_stream(runner: CliRunner, log_url: str) -> None:
    """A stream's events in version order with times, type, actor and summary."""
    found = records(opslog(runner, log_url, "history", "milestone-2018-19-q1-vctf",
                           "--format", "jsonl"))
    assert [(r["version"], r["type"], r["actor"]) for r in found] == [
        (1, "MilestoneScheduled", "perf.team"), (2, "MilestoneProgressReported", "vctf.lead")]
    table = opslog(runner, log_url, "history", "milestone-2018-19-q1-vctf")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["version", "recorded", "effective", "type", "actor", "channel",
                                "summary"]
    assert lines[2].split()[:7] == ["1", "2018-04-02", "09:00:00Z", "2018-04-01", "00:00:00Z",
                                    "MilestoneScheduled", "perf.team"]
    assert "status=delivered" in lines[3]


def test_history_of_an_unknown_stream(runner: CliRunner, log_url: str) -> None:
    """A stream with no events is a one-line error, exit 1 (a typo should not look empty)."""
    result = opslog(runner, log_url, "history", "milestone-nope")
    assert result.exit_code == 1
    assert result.output == "Error: stream 'milestone-nope' has no events\n"
