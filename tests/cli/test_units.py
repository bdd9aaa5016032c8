"""`opslog submit` and `opslog commands` through the real CLI, on both backends."""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner, Result

from commands.registry import COMMANDS
from eventstore import EventStore
from opslog.cli import main

ADMIN = "it.admin"
SETUP = [
    {"command": "DefineTheme", "id": "theme/2",
     "data": {"number": 2, "title": "Tackling serious violence"}},
    {"command": "DefineTopic", "id": "topic/violent-crime",
     "data": {"topic_id": "violent-crime", "theme": 2, "title": "Violent crime"}},
    {"command": "RegisterUnit", "id": "unit/vctf",
     "data": {"unit_id": "vctf", "name": "Violent Crime Taskforce", "kind": "taskforce"}},
    {"command": "GrantRole", "id": "g/recorder",
     "data": {"actor": "recorder.vctf", "role": "recorder", "unit_id": "vctf"}},
    {"command": "GrantRole", "id": "g/performance",
     "data": {"actor": "performance.analyst", "role": "performance"}},
]
SCHEDULE = {"command": "ScheduleMilestone", "id": "m/vctf", "actor": "performance.analyst",
            "data": {"milestone_id": "vctf", "title": "launch of the VCTF",
                     "topic_id": "violent-crime", "due_quarter": "2018-19-Q1",
                     "owner_unit": "vctf"}}
PROGRESS = {"command": "ReportMilestoneProgress", "id": "p/vctf", "actor": "recorder.vctf",
            "data": {"milestone_id": "vctf", "quarter": "2018-19-Q1", "status": "delivered",
                     "narrative": "The taskforce was formed.", "as_of": "2018-06-30"}}


def jsonl(*envelopes: dict[str, Any] | str) -> str:
    return "".join((item if isinstance(item, str) else json.dumps(item)) + "\n"
                   for item in envelopes)


def run(url: str, *args: str, input: str | None = None,
        env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args], input=input, env=env)


@pytest.fixture
def url(database_url: str) -> str:
    """An initialised database with an admin, a theme, a topic, a unit and two roles."""
    assert run(database_url, "init", "--admin", ADMIN).exit_code == 0
    result = run(database_url, "submit", "--actor", ADMIN, "-", input=jsonl(*SETUP))
    assert result.exit_code == 0, result.output
    return database_url


def head(url: str) -> int:
    with EventStore.open(url) as store:
        return store.head().position


def test_submit_prints_one_line_per_command_with_positions(url: str, tmp_path: Path) -> None:
    """Each accepted command is reported with its line number, type, id and position."""
    path = tmp_path / "q1.jsonl"
    path.write_text(jsonl(SCHEDULE, PROGRESS), encoding="utf-8")
    result = run(url, "submit", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "line 1: accepted ScheduleMilestone m/vctf: position 7 (MilestoneScheduled)",
        "line 2: accepted ReportMilestoneProgress p/vctf: position 8 (MilestoneProgressReported)",
    ]
    assert "2 accepted, 0 refused" in result.stderr


def test_a_single_pretty_printed_command_is_accepted(url: str) -> None:
    """A file holding one indented JSON object is one command."""
    result = run(url, "submit", "-", input=json.dumps(SCHEDULE, indent=2))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("line 1: accepted ScheduleMilestone")


def test_submitting_again_records_nothing_and_answers_with_the_first_result(url: str) -> None:
    """A retried file reports each command as already recorded at its first position."""
    assert run(url, "submit", "-", input=jsonl(SCHEDULE, PROGRESS)).exit_code == 0
    before = head(url)
    again = run(url, "submit", "-", input=jsonl(SCHEDULE, PROGRESS))
    assert again.exit_code == 0
    assert again.stdout.splitlines()[1] == (
        "line 2: already recorded ReportMilestoneProgress p/vctf: position 8 "
        "(MilestoneProgressReported)")
    assert head(url) == before


BAD_LINES: list[tuple[str, str]] = [
    ('{"command": "ScheduleMilestone", "id": "x", "data": {', "json: not valid JSON"),
    ('["a list"]', "json: each command must be a JSON object"),
    ('{"command": "Frobnicate", "id": "x", "data": {}}', "command: unknown command 'Frobnicate'"),
    (json.dumps({**PROGRESS, "id": "p/ghost", "data": {**PROGRESS["data"],
                                                        "milestone_id": "ghost"}}),
     "milestone_id: no milestone 'ghost' is scheduled"),
    (json.dumps({**PROGRESS, "id": "p/q", "data": {**PROGRESS["data"], "quarter": "2018 Q1"}}),
     "quarter: '2018 Q1' is not a quarter"),
    (json.dumps({**PROGRESS, "id": "p/m", "data": {k: v for k, v in PROGRESS["data"].items()
                                                    if k != "status"}}),
     "status: is required"),
    (json.dumps({**PROGRESS, "id": "p/t", "data": {**PROGRESS["data"], "as_of": 20180630}}),
     "as_of: is not a real date"),
    ('{"command": "DefineTheme", "id": "dup", "id": "dup2", "data": {}}', "appears twice"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_bad_input_gets_one_clear_line_and_nothing_is_written(
    url: str, line: str, message: str
) -> None:
    """Malformed JSON, unknown commands, missing or mistyped fields: line 2 refused, exit 1."""
    before = head(url)
    result = run(url, "submit", "-", input=jsonl(SCHEDULE, line))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("line 1: accepted")
    assert lines[1].startswith("line 2: refused")
    assert message in lines[1]
    assert head(url) == before + 1


def test_blank_lines_keep_the_numbering(url: str) -> None:
    """Line numbers are the file's, blank lines included."""
    result = run(url, "submit", "-", input=jsonl(SCHEDULE) + "\n\n" + "{oops}\n")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("line 4: refused: json")


def test_a_broken_pretty_printed_document_is_one_error(url: str) -> None:
    """A multi-line object with a syntax error is reported once, where the parser stopped."""
    text = json.dumps(SCHEDULE, indent=2).replace('"m/vctf",', '"m/vctf"')
    result = run(url, "submit", "-", input=text)
    assert result.exit_code == 1
    assert result.stdout == (
        "line 4: refused: json: not valid JSON: Expecting ',' delimiter (column 3)\n")


def test_dry_run_validates_and_writes_nothing(url: str) -> None:
    """--dry-run checks each command against the ones before it and records nothing."""
    before = head(url)
    result = run(url, "submit", "--dry-run", "-", input=jsonl(SCHEDULE, PROGRESS))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "line 2: valid ReportMilestoneProgress p/vctf: would record MilestoneProgressReported")
    assert "dry run: nothing written" in result.stderr
    assert head(url) == before


def test_the_actor_comes_from_the_option_or_the_environment(url: str) -> None:
    """Without an actor in the line, --actor or $OPSLOG_ACTOR names who acts."""
    schedule = {key: value for key, value in SCHEDULE.items() if key != "actor"}
    missing = run(url, "submit", "-", input=jsonl(schedule))
    assert missing.exit_code == 1
    assert "actor: is required" in missing.stdout
    by_env = run(url, "submit", "-", input=jsonl(schedule),
                 env={"OPSLOG_ACTOR": "performance.analyst"})
    assert by_env.exit_code == 0, by_env.output
    bad = run(url, "submit", "--actor", "Not An Actor", "-", input=jsonl(schedule))
    assert bad.exit_code == 1
    assert "--actor" in bad.output


def test_a_line_naming_another_actor_than_the_option_is_refused(url: str) -> None:
    """Given --actor recorder.vctf, when a line says it acts as the performance analyst,
    then that line is refused naming actor and nothing is written: the option is who acts,
    and a line cannot say otherwise (nor can $OPSLOG_ACTOR be overridden by a line)."""
    head = EventStore.open(url).head().position
    for args, env in ((["--actor", "recorder.vctf"], None),
                      ([], {"OPSLOG_ACTOR": "recorder.vctf"})):
        result = run(url, "submit", *args, "-", input=jsonl(SCHEDULE), env=env)
        assert result.exit_code == 1
        assert ("actor: the command acts as 'performance.analyst' but it is submitted by "
                "'recorder.vctf'") in result.stdout
    assert EventStore.open(url).head().position == head


def test_every_event_records_the_direct_channel_with_os_user_and_host(url: str) -> None:
    """Given the operator's CLI, when a command is accepted, then its events' metadata
    names the direct channel with this process's OS user and host."""
    result = run(url, "submit", "--actor", "performance.analyst", "-", input=jsonl(SCHEDULE))
    assert result.exit_code == 0, result.output
    store = EventStore.open(url)
    events = list(store.read_all())
    store.close()
    assert events and all(event.metadata["channel"] == {
        "kind": "direct", "os_user": getpass.getuser(), "host": socket.gethostname()}
        for event in events)
    shown = f"direct {getpass.getuser()}@{socket.gethostname()}"
    logged = [json.loads(line) for line in run(url, "log", "--format", "jsonl").stdout.splitlines()]
    assert [entry["channel"] for entry in logged] == [shown] * len(events)
    history = run(url, "history", "milestone-vctf", "--format", "jsonl").stdout
    assert json.loads(history.splitlines()[0])["channel"] == shown


def test_permission_refusals_name_the_actor(url: str) -> None:
    """A recorder scheduling a milestone is refused, naming `actor` and the role needed."""
    result = run(url, "submit", "--actor", "recorder.vctf", "-",
                 input=jsonl({**SCHEDULE, "actor": "recorder.vctf"}))
    assert result.exit_code == 1
    assert "actor: ScheduleMilestone needs the performance role" in result.stdout


def test_an_empty_file_or_undecodable_bytes_are_user_errors(url: str, tmp_path: Path) -> None:
    """No commands, or bytes that are not UTF-8: one line, exit 1."""
    empty = run(url, "submit", "-", input="\n\n")
    assert empty.exit_code == 1 and "holds no commands" in empty.output
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"command": "DefineTheme", "id": "caf\xe9"}\n')
    binary = run(url, "submit", str(path))
    assert binary.exit_code == 1 and "not UTF-8" in binary.output


def test_an_uninitialised_database_is_a_clean_error(tmp_path: Path) -> None:
    """Submitting before `opslog init` says so, without a traceback."""
    result = run(f"sqlite:///{tmp_path / 'none.db'}", "submit", "-", input=jsonl(SCHEDULE))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error:")


def test_commands_lists_every_command_and_field_from_the_schemas() -> None:
    """Every registered command and each of its schema's fields is in the listing."""
    result = CliRunner().invoke(main, ["commands"])
    assert result.exit_code == 0
    for name, spec in COMMANDS.items():
        assert f"{name}: " in result.output
        for field in spec.schema.fields:
            assert f"  {field} " in result.output
    assert '"command"' in result.output and "JSON Lines" in result.output


def test_commands_shows_types_requirements_and_an_example() -> None:
    """One command's listing says type and required/optional, and gives a usable example."""
    result = CliRunner().invoke(main, ["commands", "ReportMilestoneProgress"])
    assert result.exit_code == 0
    assert "quarter (2018-19-Q1), required" in result.output
    assert "who: recorder for the milestone's owner unit" in result.output
    example = json.loads(result.output.split("example:\n", 1)[1])
    assert example["command"] == "ReportMilestoneProgress"
    assert set(example["data"]) == {"milestone_id", "quarter", "status", "narrative", "as_of"}


def test_commands_as_json_describes_nested_fields() -> None:
    """--json gives machine-readable fields, nested facts included."""
    result = CliRunner().invoke(main, ["commands", "--json", "RecordOperationalUpdate"])
    (described,) = json.loads(result.output)
    facts = next(field for field in described["fields"] if field["name"] == "facts")
    assert [child["name"] for child in facts["fields"]] == ["name", "kind", "value", "unit"]
    assert not facts["required"]
    unknown = CliRunner().invoke(main, ["commands", "Frobnicate"])
    assert unknown.exit_code == 1 and "unknown command" in unknown.output


def test_submit_end_to_end_in_a_real_process(url: str) -> None:
    """The installed `opslog` reads stdin, prints, and exits 1 when a line is refused."""
    opslog = Path(sys.executable).with_name("opslog")
    bad = {**PROGRESS, "id": "p/bad", "data": {**PROGRESS["data"], "milestone_id": "ghost"}}
    done = subprocess.run(
        [str(opslog), "--db", url, "submit", "-"], input=jsonl(SCHEDULE, bad, PROGRESS),
        capture_output=True, text=True, check=False, env={**os.environ, "OPSLOG_ACTOR": ""},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert [line.split(":")[1].split()[0] for line in done.stdout.splitlines()] == [
        "accepted", "refused", "accepted"]


def test_a_clock_behind_the_log_is_one_line_and_writes_nothing(sqlite_url: str) -> None:
    """On SQLite, after a commit stamped by a clock reading 2031, a machine with the right
    time is refused in one line naming both times; the command is not recorded."""
    with time_machine.travel(datetime(2031, 1, 1, 9, tzinfo=UTC), tick=False):
        assert run(sqlite_url, "init", "--admin", ADMIN).exit_code == 0
        setup = run(sqlite_url, "submit", "--actor", ADMIN, "-", input=jsonl(*SETUP))
        assert setup.exit_code == 0, setup.output
    before = head(sqlite_url)
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=UTC), tick=False):
        result = run(sqlite_url, "submit", "-", input=jsonl(SCHEDULE))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: stopped at line 1: clock behind the log: this machine's clock reads "
        "2026-12-03T12:00:00.000000Z, but the last commit was recorded at "
        "2031-01-01T09:00:00.000000Z (more than 5 s later); nothing was written: check the "
        "clock (the lines before it are as reported above)"
    ]
    assert head(sqlite_url) == before


def test_the_audit_report_names_the_channel_of_a_correction(url: str) -> None:
    """Given a progress report corrected on the operator's channel, then the report's audit
    view says who corrected it and through which channel; the public view says neither."""
    correction = {"command": "CorrectEvent", "id": "c/vctf", "actor": "recorder.vctf",
                  "data": {"command_id": "p/vctf", "changes": {"status": "some_delay"},
                           "reason": "on review"}}
    result = run(url, "submit", "-", input=jsonl(SCHEDULE, PROGRESS, correction))
    assert result.exit_code == 0, result.output
    channel = f"direct {getpass.getuser()}@{socket.gethostname()}"
    audit = run(url, "report", "--quarter", "2018-19-Q1", "--audit")
    assert audit.exit_code == 0, audit.output
    assert f"by recorder.vctf ({channel}): on review" in audit.stdout
    public = run(url, "report", "--quarter", "2018-19-Q1").stdout
    assert "on review" in public and channel not in public
