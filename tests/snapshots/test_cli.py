"""The snapshot, publish and scheduler commands through the real CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from eventstore import EventStore
from opslog.cli import main
from tests.projections.builders import open_writer
from tests.projections.q1_log import Q1Log, load_q1
from tests.snapshots.tampering import alter_snapshot, drop_snapshot_immutability

CUTOFF = "2018-07-15T00:00:00Z"


@pytest.fixture
def logged(database_url: str) -> tuple[str, Q1Log]:
    """A database on each backend holding the Q1 log, initialised by ``opslog init``."""
    writer = open_writer(database_url)
    log = load_q1(writer)
    writer.store.close()
    result = CliRunner().invoke(main, ["--db", database_url, "init", "--admin", "alice"])
    assert result.exit_code == 0, result.output
    return database_url, log


@pytest.fixture
def url(logged: tuple[str, Q1Log]) -> str:
    return logged[0]


def run(url: str, *args: str, actor: str | None = "alice") -> Result:
    env = {"OPSLOG_ACTOR": actor} if actor else {}
    return CliRunner().invoke(main, ["--db", url, *args], env=env)


def test_create_then_again_is_a_no_op(url: str) -> None:
    """The first call makes the snapshot; the second names it and writes nothing."""
    made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", CUTOFF)
    assert made.exit_code == 0, made.output
    assert made.output.startswith("made snapshot 1: 2018-19-Q1 at position ")
    again = run(url, "snapshot", "create", "--quarter", "2018-19 Q1", "--cutoff", CUTOFF)
    assert again.exit_code == 0
    assert again.output.startswith("snapshot 1 already holds 2018-19-Q1 at position ")
    assert again.output.rstrip().endswith("by alice): nothing written")


@pytest.mark.parametrize(("args", "actor", "code", "message"), [
    (["--quarter", "2018-19-Q5"], "alice", 2, "Invalid value for '--quarter'"),
    (["--quarter", "2018-19-Q1", "--cutoff", "2018-07-15T00:00"], "alice", 2,
     "Invalid value for '--cutoff': '2018-07-15T00:00' has no time zone"),
    (["--quarter", "2018-19-Q1", "--cutoff", "2999-01-01T00:00Z"], "alice", 1,
     "Error: --cutoff: 2999-01-01T00:00:00+00:00 has not passed yet"),
    (["--quarter", "2998-99-Q1"], "alice", 1,
     "Error: --quarter: 2998-99-Q1 has not closed yet (it closes"),
    (["--quarter", "2018-19-Q1"], None, 1,
     "Error: --actor: say whom you act as (or set $OPSLOG_ACTOR)"),
    (["--quarter", "2018-19-Q1"], "job:quarter-close", 1, "Error: --actor: must be a lowercase"),
])
def test_bad_input_gets_one_line_naming_the_option(url: str, args: list[str], actor: str | None,
                                                   code: int, message: str) -> None:
    """Each mistake is one line naming the option, a non-zero exit, and no traceback."""
    result = run(url, "snapshot", "create", *args, actor=actor)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


GRANTS = "".join(json.dumps(line) + "\n" for line in (
    {"command": "GrantRole", "id": "g/rec", "data": {"actor": "rec.vctf", "role": "recorder",
                                                     "unit_id": "vctf"}},
    {"command": "GrantRole", "id": "g/aud", "data": {"actor": "aud.it", "role": "auditor"}},
    {"command": "GrantRole", "id": "g/perf", "data": {"actor": "perf.team",
                                                      "role": "performance"}},
))


def snapshot_rows(url: str) -> tuple[int, int]:
    with EventStore.open(url) as store, store.engine.connect() as connection:
        return (connection.exec_driver_sql("SELECT count(*) FROM snapshots").scalar_one(),
                connection.exec_driver_sql("SELECT count(*) FROM publications").scalar_one())


def test_only_an_admin_or_performance_may_snapshot_or_publish(url: str) -> None:
    """Given a published Q1 update, when a recorder, an auditor or an actor with no role
    makes an older, empty snapshot or publishes it as the quarter's update, then each is
    refused naming --actor and the role needed, and nothing is written; performance may."""
    granted = CliRunner().invoke(main, ["--db", url, "submit", "--actor", "alice", "-"],
                                 input=GRANTS)
    assert granted.exit_code == 0, granted.output
    assert run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff",
               CUTOFF).exit_code == 0
    assert run(url, "publish", "--quarter", "2018-19-Q1").exit_code == 0
    older = "2018-04-01T00:00:00Z"
    for actor, held in (("rec.vctf", "'rec.vctf' is recorder for vctf"),
                        ("aud.it", "'aud.it' is auditor"), ("nobody", "'nobody' holds no role")):
        made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", older,
                   actor=actor)
        assert made.exit_code == 1
        assert made.output.startswith("Error: --actor: ") and held in made.output
        assert "admin or performance" in made.output
        published = run(url, "publish", "--quarter", "2018-19-Q1", "--snapshot", "1",
                        actor=actor)
        assert published.exit_code == 1 and held in published.output
        assert snapshot_rows(url) == (1, 1)
    made = run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", older,
               actor="perf.team")
    assert made.exit_code == 0, made.output
    assert snapshot_rows(url) == (2, 1)


def test_a_revoked_role_may_no_longer_publish(url: str) -> None:
    """Given a performance analyst whose role the admin revokes, when they publish, then it
    is refused from the revocation on."""
    granted = CliRunner().invoke(main, ["--db", url, "submit", "--actor", "alice", "-"],
                                 input=GRANTS)
    assert granted.exit_code == 0, granted.output
    assert run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", CUTOFF,
               actor="perf.team").exit_code == 0
    revoke = json.dumps({"command": "RevokeRole", "id": "r/perf",
                         "data": {"actor": "perf.team", "role": "performance"}})
    revoked = CliRunner().invoke(main, ["--db", url, "submit", "--actor", "alice", "-"],
                                 input=revoke + "\n")
    assert revoked.exit_code == 0, revoked.output
    refused = run(url, "publish", "--quarter", "2018-19-Q1", actor="perf.team")
    assert refused.exit_code == 1
    assert "Error: --actor: 'perf.team' holds no role" in refused.output
    assert snapshot_rows(url) == (1, 0)


def test_list_and_show_describe_the_snapshot(url: str) -> None:
    """The table and JSON list it; show gives its hashes, and its Markdown byte for byte as
    `opslog report --audit` renders the same cut-off (snapshots keep the audit view)."""
    run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", CUTOFF)
    table = run(url, "snapshot", "list")
    assert table.exit_code == 0 and "2018-19-Q1" in table.output and "alice" in table.output
    [listed] = json.loads(run(url, "snapshot", "list", "--format", "json").output)
    assert (listed["id"], listed["quarter"], listed["created_by"], listed["published"]) == (
        1, "2018-19-Q1", "alice", False)
    shown = run(url, "snapshot", "show", "1")
    assert f"chain head hash: {listed['head_hash']}" in shown.output
    assert f"markdown sha256: {listed['sha256']['markdown']}" in shown.output
    stored = run(url, "snapshot", "show", "1", "--format", "md").stdout
    reported = run(url, "report", "--quarter", "2018-19-Q1", "--as-of", CUTOFF, "--audit").stdout
    assert stored == reported
    missing = run(url, "snapshot", "show", "7")
    assert (missing.exit_code, missing.output) == (1, "Error: ID: there is no snapshot 7\n")


def test_verify_passes_then_names_a_tampered_rendering(url: str) -> None:
    """Exit 0 while intact; after the stored Markdown is rewritten, exit 1 saying what and
    where."""
    run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", CUTOFF)
    run(url, "snapshot", "create", "--quarter", "2018-19-Q2", "--cutoff", CUTOFF)
    intact = run(url, "snapshot", "verify", "--all")
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.count(": ok\n") == 2
    with EventStore.open(url) as store:
        drop_snapshot_immutability(store.engine)
        alter_snapshot(store.engine, 1, markdown="# altered\n")
    broken = run(url, "snapshot", "verify", "1")
    assert broken.exit_code == 1
    assert "snapshot 1, 2018-19-Q1 at position" in broken.stdout and "DIFFERS" in broken.stdout
    assert "Markdown: the stored text does not match its recorded SHA-256" in broken.stdout
    assert "0 of 1 snapshots verified; 1 DIFFER" in broken.stderr


@pytest.mark.parametrize(("args", "message"), [
    ([], "Error: give a snapshot ID or --all (not both)"),
    (["1", "--all"], "Error: give a snapshot ID or --all (not both)"),
    (["9"], "Error: ID: there is no snapshot 9"),
])
def test_verify_asks_for_one_snapshot_or_all(url: str, args: list[str], message: str) -> None:
    """Neither or both, or an unknown id: one line and exit 1."""
    result = run(url, "snapshot", "verify", *args)
    assert (result.exit_code, result.output.strip()) == (1, message)


def test_report_says_how_it_differs_from_the_published_update(
        logged: tuple[str, Q1Log]) -> None:
    """Published, then corrected: the report's document is today's view, and standard error
    says it differs from the published update, naming the milestone and the change."""
    url, log = logged
    run(url, "snapshot", "create", "--quarter", "2018-19-Q1", "--cutoff", CUTOFF)
    published = run(url, "publish", "--quarter", "2018-19-Q1")
    assert published.exit_code == 0
    assert published.output.startswith("published snapshot 1, 2018-19-Q1 at position")
    same = run(url, "report", "--quarter", "2018-19-Q1")
    assert "matches the published update (snapshot 1" in same.stderr
    writer = open_writer(url, start="2018-08-01T09:00", create=False)
    writer.count = 10_000  # event ids not yet used by the log
    writer.correct(log["report-vctf"], "on review", status="some_delay")
    writer.store.close()
    current = run(url, "report", "--quarter", "2018-19-Q1")
    assert current.exit_code == 0
    assert "differs from the published update (snapshot 1 at position" in current.stderr
    assert "  milestone vctf: status: delivered → some delay" in current.stderr
    assert "differs" not in current.stdout and "(some delay)" in current.stdout
    stored = run(url, "snapshot", "show", "1", "--format", "md").stdout
    assert "(some delay)" not in stored.split("Violent Crime Task Force")[1].split("\n#")[0]


def test_publishing_without_a_snapshot_says_how_to_make_one(url: str) -> None:
    """One line naming --quarter and the command that makes a snapshot."""
    result = run(url, "publish", "--quarter", "2018-19-Q2")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --quarter: 2018-19-Q2 has no snapshot to publish; make one with "
        "`opslog snapshot create --quarter 2018-19-Q2`\n")


def test_the_scheduler_wants_an_initialised_database_and_a_positive_interval(
        database_url: str) -> None:
    """A store never given the read models is refused; so is a zero interval."""
    EventStore.open(database_url, create=True).close()
    result = run(database_url, "scheduler", "run")
    assert (result.exit_code, result.output) == (
        1, "Error: the database is not at this version's schema: run `opslog init`\n")
    zero = run(database_url, "scheduler", "run", "--catch-up-seconds", "0")
    assert zero.exit_code == 2 and "Invalid value for '--catch-up-seconds'" in zero.output
