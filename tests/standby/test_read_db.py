"""Questions sent to a hot standby with --read-db: the primary's answers, or a clear
statement of how far behind the standby is: never a board the log did not say."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner, Result

from eventstore import EventStore
from opslog.cli import main
from opslog.service.app import create_app
from tests.standby.conftest import Pair

pytestmark = pytest.mark.postgres
Q1 = "2018-19-Q1"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _board(pair: Pair, *args: str, read: bool = True) -> Result:
    prefix = ["--db", pair.primary] + (["--read-db", pair.standby] if read else [])
    return _run(*prefix, "status", "--quarter", Q1, "--format", "json", *args)


def _head(url: str) -> int:
    store = EventStore.open(url)
    try:
        return store.head().position
    finally:
        store.close()


def test_the_reading_verbs_answer_from_the_standby_as_the_primary_does(
        standby_pair: Pair) -> None:
    assert _run("--db", standby_pair.primary, "demo").exit_code == 0
    standby_pair.caught_up()
    head = _head(standby_pair.primary)
    for verb in (["status", "--quarter", Q1, "--format", "json"],
                 ["report", "--quarter", Q1, "--format", "json"],
                 ["report", "--quarter", Q1, "--at-position", str(head // 2)],
                 ["log", "--format", "json"],
                 ["history", "milestone-vctf", "--format", "json"],
                 ["diff", "--quarter", Q1, "--from", "2000-01-01T00:00:00Z"]):
        primary = _run("--db", standby_pair.primary, *verb)
        standby = _run("--db", standby_pair.primary, "--read-db", standby_pair.standby, *verb)
        assert primary.exit_code == standby.exit_code == 0, (verb, standby.output)
        assert standby.stdout == primary.stdout, verb


def test_a_lagging_standby_answers_as_at_its_own_head_or_says_how_far_behind_it_is(
        standby_pair: Pair) -> None:
    assert _run("--db", standby_pair.primary, "init").exit_code == 0
    with standby_pair.paused():
        assert _run("--db", standby_pair.primary, "demo").exit_code == 0
        head = _head(standby_pair.primary)
        lag = _head(standby_pair.standby)
        assert lag < head
        behind = _run("--db", standby_pair.primary, "--read-db", standby_pair.standby,
                      "--read-wait", "0.3", "status", "--quarter", Q1, "--format", "json",
                      "--at-position", str(head))
        assert behind.exit_code == 1 and behind.stdout == ""
        assert (f"--read-db: the read database has replayed the log to position {lag}, "
                f"{head - lag} behind position {head}, after waiting 0.3s") in behind.output
        now = _board(standby_pair)
        assert now.exit_code == 0
        assert f"replayed the log to position {lag}; the primary is at {head}" in now.stderr
        assert now.stdout == _board(standby_pair, "--at-position", str(lag), read=False).stdout
        assert now.stdout != _board(standby_pair, read=False).stdout
        as_of = _run("--db", standby_pair.primary, "--read-db", standby_pair.standby,
                     "--read-wait", "0", "report", "--quarter", Q1,
                     "--as-of", "2099-01-01T00:00:00Z")
        assert as_of.exit_code == 1 and "behind position" in as_of.output
    standby_pair.caught_up()
    assert _board(standby_pair, "--at-position", str(head)).stdout == \
        _board(standby_pair, read=False).stdout


def test_a_question_waits_for_the_standby_to_replay_its_position(standby_pair: Pair) -> None:
    assert _run("--db", standby_pair.primary, "init").exit_code == 0
    with standby_pair.paused():
        assert _run("--db", standby_pair.primary, "demo").exit_code == 0
        head = _head(standby_pair.primary)
        resume = threading.Timer(0.5, standby_pair.set_replay, kwargs={"pause": False})
        resume.start()
        waited = _run("--db", standby_pair.primary, "--read-db", standby_pair.standby,
                      "--read-wait", "30", "status", "--quarter", Q1, "--format", "json",
                      "--at-position", str(head))
        resume.join()
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout) == json.loads(_board(standby_pair, read=False).stdout)


def test_the_service_reads_from_the_standby(standby_pair: Pair) -> None:
    from starlette.testclient import TestClient

    from opslog.service.auth import token_authenticator
    from tests.service.q1 import load

    primary = EventStore.open(standby_pair.primary, create=True)
    standby = EventStore.open(standby_pair.standby)
    try:
        standby_pair.caught_up()
        board = "/v1/quarters/2018-19-Q1/board"
        with standby_pair.paused():
            q1 = load(primary)  # tokens and events on the primary only
            auth = {"Authorization": f"Bearer {q1.secrets['admin']}"}
            app = create_app(primary, token_authenticator(primary), reads=standby)
            at_head = f"{board}?at_position={primary.head().position}"
            with TestClient(app) as client:
                assert client.get("/v1/log", headers=auth).json()["events"] == []
                lagging_at_head = client.get(at_head, headers=auth)  # a cut-off: the primary
            standby_pair.set_replay(pause=False)
            standby_pair.caught_up()
            with TestClient(app) as client:
                from_standby = client.get(board, headers=auth)
                log = client.get("/v1/log", headers=auth).json()["events"]
        with TestClient(create_app(primary, token_authenticator(primary))) as client:
            from_primary = client.get(board, headers=auth)
            primary_log = client.get("/v1/log", headers=auth).json()["events"]
            primary_at_head = client.get(at_head, headers=auth)
        assert from_standby.status_code == from_primary.status_code == 200
        assert from_standby.json() == from_primary.json()
        assert log == primary_log != []
        assert lagging_at_head.status_code == 200
        assert lagging_at_head.json() == primary_at_head.json()
    finally:
        primary.close()
        standby.close()


def test_read_db_must_be_postgresql(standby_pair: Pair) -> None:
    assert _run("--db", standby_pair.primary, "init").exit_code == 0
    found = _run("--db", standby_pair.primary, "--read-db", "sqlite:///x.db", "log")
    assert found.exit_code == 1 and "--read-db: a PostgreSQL hot standby" in found.output
