"""``--as-reported DATE`` on the readers' and auditors' commands, over the demo's history."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from eventstore import EventStore
from opslog.cli import main


def _run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def _ok(*args: str) -> str:
    result = _run(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def demo(database_url: str) -> str:
    _ok("--db", database_url, "demo", "--no-report")
    return database_url


def test_status_and_report_cut_on_the_declared_date(demo: str) -> None:
    """Quarter 1's board as reported on 29 June 2018 is empty, on 30 June it has its six
    milestones; Quarter 2's report puts the Central East go-live in September as reported
    by the Quarter 2 return and leaves it out as reported by the Quarter 3 one."""
    def rows(day: str) -> list[object]:
        board = json.loads(_ok("--db", demo, "status", "--quarter", "2018-19-Q1",
                               "--as-reported", day, "--format", "json"))
        return list(board["milestones"])

    assert rows("2018-06-29") == [] and len(rows("2018-06-30")) == 6
    q2 = ("--db", demo, "report", "--quarter", "2018-19-Q2", "--as-reported")
    assert "1 September 2018 · Central East BCU went live" in _ok(*q2, "2018-09-30")
    assert "Central East BCU went live" not in _ok(*q2, "2018-12-31")


def test_log_shows_what_was_reported_by_a_date_with_the_declared_column(demo: str) -> None:
    """Every event listed was reported by 30 September 2018; the Quarter 3 correction and
    the 2019 restatement are left out; the table gains a reported column."""
    entries = [json.loads(line) for line in _ok("--db", demo, "log", "--as-reported",
                                                "2018-09-30", "--format", "jsonl").splitlines()]
    assert entries and all(entry["reported_on"] <= "2018-09-30" for entry in entries)
    types = {entry["type"] for entry in entries}
    assert "UnitWentLive" in types and "EventCorrected" not in types
    with EventStore.open(demo) as store:
        head = store.head().position
    assert len(entries) == head - 3  # the admin (recorded today), correction, restatement
    table = _ok("--db", demo, "log", "--as-reported", "2018-09-30", "--limit", "1")
    assert table.splitlines()[0].split()[:4] == ["position", "recorded", "effective",
                                                 "reported"]


def test_diff_between_two_declared_dates_names_the_restatement(demo: str) -> None:
    """From Quarter 1 as published to the release of 25 April 2019: the 2017-18 value goes
    827,225 → 829,418, caused by the restatement alone."""
    answer = json.loads(_ok("--db", demo, "diff", "--quarter", "2018-19-Q1",
                            "--from-reported", "2018-06-30", "--to-reported", "2019-04-25",
                            "--format", "json"))
    with EventStore.open(demo) as store:
        (restatement,) = [event.position for event in store.read_all(
            types=["IndicatorValueRecorded"]) if event.metadata.get("reported_on") == "2019-04-25"]
    (value,) = [change for change in answer["changes"] if change["kind"] == "value"]
    assert (value["before"], value["after"]) == ("827,225", "829,418")
    assert [cause["position"] for cause in value["causes"]] == [restatement]
    text = _ok("--db", demo, "diff", "--quarter", "2018-19-Q2", "--from-reported", "2018-09-30",
               "--to-reported", "2018-12-31")
    lines = text.splitlines()
    assert lines[0].endswith("as reported by 2018-12-31, 1 change(s)"), text
    assert lines[1].startswith("- update central-east-bcu-live: no longer in the report: ")
    assert lines[1].endswith(" → (none)")
    assert "EventCorrected by recorder.central-east" in lines[2]
    assert "the BCU went live in November 2018" in lines[2]


@pytest.mark.parametrize(("args", "message"), [
    (["status", "--as-reported", "2018-02-30"], "'2018-02-30' is not a date"),
    (["log", "--as-reported", "soon"], "'soon' is not a date"),
    (["diff", "--quarter", "2018-19-Q1"], "give --from TIME or --from-reported DATE"),
    (["diff", "--quarter", "2018-19-Q1", "--from-reported", "2019-01-01", "--to-reported",
      "2018-01-01"], "is before --from-reported"),
    (["diff", "--quarter", "2018-19-Q1", "--from-reported", "2019-01-01", "--as-reported",
      "2019-01-01"], "not both"),
])
def test_bad_declared_dates_are_refused_naming_the_option(demo: str, args: list[str],
                                                         message: str) -> None:
    result = _run("--db", demo, *args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_command_declared_after_today_is_refused_and_nothing_written(demo: str) -> None:
    with EventStore.open(demo) as store:
        head = store.head().position
    line = json.dumps({"command": "DefineTheme", "id": "late/theme-9", "actor": "opslog.admin",
                       "reported_on": "2999-01-01", "data": {"number": 9, "title": "Ninth"}})
    result = _run("--db", demo, "submit", "-", input=line + "\n")
    assert result.exit_code != 0 and "reported_on" in result.output, result.output
    assert "Traceback" not in result.output
    with EventStore.open(demo) as store:
        assert store.head().position == head
