"""Environment mistakes and output files: one line on stderr, non-zero exit, nothing left.

Through click's CliRunner and, where argv bytes or a real process matter, as subprocesses.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from eventstore import EventStore
from opslog.cli import main
from tests.cli.test_units import ADMIN, SETUP, jsonl

OPSLOG = str(Path(sys.executable).with_name("opslog"))
READ_ONLY_VERBS = (
    ["status"], ["report", "--quarter", "2018-19-Q1"], ["log"], ["history", "unit-vctf"],
    ["verify"], ["export", "out.jsonl"], ["snapshot", "list"], ["projections", "status"],
    ["diff", "--quarter", "2018-19-Q1", "--from", "2018-05-01T00:00:00Z"],
    ["import", "in.jsonl"], ["submit", "in.jsonl"],
)


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_a_path_where_a_url_belongs_is_one_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = one_line_error(invoke("--db", "opslog.db", "status"))
    assert line == ("Error: --db: 'opslog.db' is not a database URL (use sqlite:///opslog.db "
                    "or postgresql+psycopg://user@host/dbname)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("verb", READ_ONLY_VERBS, ids=lambda verb: verb[0])
def test_a_missing_sqlite_file_is_refused_not_created(tmp_path: Path, verb: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text("{}\n")
    line = one_line_error(invoke("--db", "sqlite:///typo.db", *verb))
    assert line == "Error: --db: no database at typo.db (run opslog init)"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]


def test_init_creates_the_sqlite_file(tmp_path: Path) -> None:
    result = invoke("--db", f"sqlite:///{tmp_path / 'new.db'}", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new.db").exists()


def test_db_is_accepted_after_the_verb(sqlite_url: str) -> None:
    assert invoke("init", "--db", sqlite_url).exit_code == 0
    for verb in (["status"], ["snapshot", "list"], ["projections", "status"], ["verify"]):
        result = invoke(*verb, "--db", sqlite_url)
        assert result.exit_code == 0, (verb, result.output)
    assert "head position 0" in invoke("init", "--db", sqlite_url).output


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_one_line(postgres_url: str) -> None:
    missing = make_url(postgres_url).set(database="opslog_no_such_database")
    line = one_line_error(invoke("--db", missing.render_as_string(False), "status"))
    assert 'database "opslog_no_such_database" does not exist' in line


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("verb", [["status"], ["projections", "status"],
                                  ["projections", "catch-up"], ["log"]], ids=" ".join)
def test_a_refused_connection_is_named_as_such(verb: list[str]) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/opslog"
    line = one_line_error(invoke("--db", url, *verb))
    assert line.startswith("Error: the database connection was refused or lost: "), line
    assert "missing" not in line and "init" not in line


@pytest.fixture
def url(database_url: str) -> str:
    assert invoke("--db", database_url, "init", "--admin", ADMIN).exit_code == 0
    result = invoke("--db", database_url, "submit", "--actor", ADMIN, "-", input=jsonl(*SETUP))
    assert result.exit_code == 0, result.output
    return database_url


def test_export_into_a_missing_folder_is_one_line(url: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "log.jsonl"
    line = one_line_error(invoke("--db", url, "export", str(target)))
    assert line == f"Error: {target}: no folder {target.parent} (create it first)"
    assert not target.parent.exists()


def test_export_never_follows_a_planted_partial_link(url: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    target = tmp_path / "log.jsonl"
    planted = tmp_path / "log.jsonl.partial"
    planted.symlink_to(victim)
    line = one_line_error(invoke("--db", url, "export", str(target)))
    assert line.startswith(f"Error: {planted} already exists")
    assert victim.read_text() == "keep me\n"
    assert planted.is_symlink() and not target.exists()


@pytest.mark.parametrize("verb", [["export"], ["report", "--quarter", "2018-19-Q1", "-o"]],
                         ids=lambda verb: verb[0])
def test_an_existing_output_file_needs_force(url: str, tmp_path: Path,
                                             verb: list[str]) -> None:
    target = tmp_path / "out.txt"
    target.write_text("earlier\n")
    line = one_line_error(invoke("--db", url, *verb, str(target)))
    assert line == f"Error: {target} already exists (pass --force to replace it)"
    assert target.read_text() == "earlier\n"
    assert not (tmp_path / "out.txt.partial").exists()
    forced = invoke("--db", url, *verb, str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text() != "earlier\n"
    assert not (tmp_path / "out.txt.partial").exists()


def _opslog(*args: str | bytes, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([OPSLOG, *args], input=input,
                          capture_output=True, timeout=120, check=False)


def test_a_non_utf8_stream_id_from_argv_is_one_line(url: str) -> None:
    run = _opslog("--db", url, "history", b"unit-\xff")
    assert run.returncode == 1
    assert run.stderr.decode().splitlines() == [
        "Error: STREAM: b'unit-\\xff' is not UTF-8 text"]
    run = _opslog("log", "--stream", b"\xfe", "--db", url)
    assert run.stderr.decode().splitlines() == ["Error: --stream: b'\\xfe' is not UTF-8 text"]


def test_a_real_process_with_a_path_for_a_url(tmp_path: Path) -> None:
    run = subprocess.run([OPSLOG, "--db", "opslog.db", "status"],
                         cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert run.returncode == 1
    assert len(run.stderr.decode().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


PROGRESS = {"command": "DefineTheme", "id": "theme/9", "actor": ADMIN,
            "data": {"number": 9, "title": "A ninth theme"}}


def test_submit_names_the_line_in_flight_when_the_database_goes_away(url: str) -> None:
    """Line 1 is recorded; then the log's table goes, and line 2 is where it stopped."""
    first = json.dumps(PROGRESS) + "\n"
    second = json.dumps({**PROGRESS, "id": "theme/10",
                         "data": {"number": 10, "title": "A tenth"}}) + "\n"
    process = subprocess.Popen([OPSLOG, "--db", url, "submit", "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(first.encode())
    process.stdin.flush()
    assert process.stdout.readline().decode().startswith("line 1: accepted")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE events RENAME TO events_away")
    try:
        out, err = process.communicate(second.encode() + first.encode(), timeout=120)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE events_away RENAME TO events")
        engine.dispose()
    assert process.returncode == 1
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: stopped at line 2: "), lines
    assert out == b""
    with EventStore.open(url) as store:
        themes = [json.loads(event.data_json)["number"] for event in store.read_all()
                  if event.type == "ThemeDefined"]
    assert themes == [2, 9]
