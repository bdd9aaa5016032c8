"""`opslog tokens` and `opslog init --admin` through the real CLI, on both backends."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from commands.identity import authenticate
from eventstore import EventStore
from opslog.cli import main

ADMIN = "ops.admin"
GRANTS = "".join(json.dumps(line) + "\n" for line in (
    {"command": "GrantRole", "id": "g/perf", "data": {"actor": "perf.team",
                                                      "role": "performance"}},
    {"command": "GrantRole", "id": "g/aud", "data": {"actor": "aud.it", "role": "auditor"}},
))


def run(url: str, *args: str, input: str | None = None,
        env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args], input=input, env=env)


@pytest.fixture
def url(database_url: str) -> str:
    """A database whose first admin the operator named, with two more roles granted."""
    made = run(database_url, "init", "--admin", ADMIN)
    assert made.exit_code == 0, made.output
    assert f"{ADMIN} is the first admin (position 1)" in made.output
    granted = run(database_url, "submit", "--actor", ADMIN, "-", input=GRANTS)
    assert granted.exit_code == 0, granted.output
    return database_url


def head(url: str) -> int:
    with EventStore.open(url) as store:
        return store.head().position


def test_init_without_admin_says_how_to_name_one_and_no_command_makes_one(
    database_url: str,
) -> None:
    """Given a new database, when the first command grants its own actor admin, then it is
    refused: only `opslog init --admin` makes the first admin."""
    made = run(database_url, "init")
    assert made.exit_code == 0 and "opslog init --admin NAME" in made.output
    grab = json.dumps({"command": "GrantRole", "id": "grab", "actor": "mallory",
                       "data": {"actor": "mallory", "role": "admin"}})
    refused = run(database_url, "submit", "-", input=grab + "\n")
    assert refused.exit_code == 1
    assert "actor: no admin exists yet" in refused.output
    assert head(database_url) == 0


def test_init_admin_is_once_and_only_while_there_is_none(url: str) -> None:
    again = run(url, "init", "--admin", ADMIN)
    assert again.exit_code == 0 and "is admin already: nothing written" in again.output
    other = run(url, "init", "--admin", "mallory")
    assert other.exit_code == 1
    assert "Error: --admin: the log has an admin already (ops.admin)" in other.output
    bad = run(url, "init", "--admin", "Not Valid")
    assert bad.exit_code == 1
    assert bad.output == "Error: --admin: must be a lowercase actor id (letters, digits, . _ @ -)\n"
    assert head(url) == 3


def test_issue_prints_the_secret_once_and_it_authenticates(url: str) -> None:
    """The secret is standard output's only line; list shows the token without it."""
    issued = run(url, "tokens", "issue", "perf.team", "--expires", "90d", "--actor", ADMIN)
    assert issued.exit_code == 0, issued.output
    secret = issued.stdout.strip()
    assert "\n" not in secret and len(secret) >= 43
    assert "shown once" in issued.stderr
    with EventStore.open(url) as store:
        principal = authenticate(store, secret)
    assert principal is not None and principal.actor == "perf.team"
    listed = run(url, "tokens", "list", "--actor", ADMIN)
    assert listed.exit_code == 0
    assert principal.token_id in listed.output and "perf.team  active" in listed.output
    assert secret not in listed.output


def test_revoke_stops_the_token_and_says_so_in_list(url: str) -> None:
    secret = run(url, "tokens", "issue", "aud.it", "--actor", ADMIN).stdout.strip()
    with EventStore.open(url) as store:
        principal = authenticate(store, secret)
    assert principal is not None
    revoked = run(url, "tokens", "revoke", principal.token_id, "--actor", ADMIN)
    assert revoked.exit_code == 0 and revoked.output.startswith(f"revoked {principal.token_id}")
    with EventStore.open(url) as store:
        assert authenticate(store, secret) is None
    assert "revoked" in run(url, "tokens", "list", "--actor", ADMIN).output
    twice = run(url, "tokens", "revoke", principal.token_id, "--actor", ADMIN)
    assert twice.exit_code == 1 and "token_id: was already revoked" in twice.output


@pytest.mark.parametrize("args", [
    ["issue", "perf.team"], ["list"], ["revoke", "tok-" + "0" * 32],
])
@pytest.mark.parametrize("actor", ["perf.team", "aud.it", "nobody"])
def test_tokens_are_for_admins_only(url: str, args: list[str], actor: str) -> None:
    """Given a performance analyst, an auditor or an actor with no role, every tokens verb
    is refused naming --actor, and nothing is written."""
    before = head(url)
    result = run(url, "tokens", *args, env={"OPSLOG_ACTOR": actor})
    assert result.exit_code == 1
    assert result.output.startswith("Error: --actor: ")
    assert "needs admin" in result.output and "Traceback" not in result.output
    assert head(url) == before


@pytest.mark.parametrize(("args", "message"), [
    (["issue", "perf.team", "--expires", "90"], "Invalid value for '--expires'"),
    (["issue", "perf.team", "--expires", "0d"], "Invalid value for '--expires'"),
    (["issue", "Perf Team"], "Error: ACTOR: must be a lowercase actor id"),
    (["revoke", "tok-nope"], "Error: token_id: no token 'tok-nope' was issued"),
])
def test_bad_input_is_one_line_naming_it(url: str, args: list[str], message: str) -> None:
    before = head(url)
    result = run(url, "tokens", *args, "--actor", ADMIN)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert head(url) == before


def test_never_expiring_tokens_need_saying_so(url: str) -> None:
    result = run(url, "tokens", "issue", "perf.team", "--expires", "never", "--actor", ADMIN)
    assert result.exit_code == 0 and "expires never" in result.stderr
