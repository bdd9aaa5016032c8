"""The README's three commands for the service do what it says: the demo's admin issues a
token, and the curl's command is accepted as the token's actor through the api channel."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from eventstore import EventStore
from opslog.cli import main
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## The HTTP service and the dashboard"


def commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8").split(SECTION, 1)[1]
    match = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert match is not None
    return [shlex.split(line) for line in match.group(1).strip().splitlines()]


def test_the_readme_shows_the_service_in_three_commands(database_url: str) -> None:
    start, issue, curl = commands()
    assert start[:3] == ["opslog", "demo", "--no-report"] and "serve" in start
    runner = CliRunner()
    done = runner.invoke(main, ["--db", database_url, *start[1:3]])
    assert done.exit_code == 0, done.output
    assignment, _, rest = " ".join(issue).partition("=")
    assert assignment == "TOKEN"
    issued = runner.invoke(main, ["--db", database_url, *shlex.split(rest.strip("$()"))[1:]])
    assert issued.exit_code == 0, issued.output
    secret = issued.stdout.strip()
    assert curl[0] == "curl" and curl[-1].endswith("/v1/commands")
    body = curl[curl.index("-d") + 1]
    headers = dict(value.split(": ", 1) for flag, value in itertools.pairwise(curl)
                   if flag == "-H")
    headers["Authorization"] = headers["Authorization"].replace("$TOKEN", secret)
    store = EventStore.open(database_url)
    try:
        with TestClient(create_app(store, token_authenticator(store))) as client:
            response = client.post("/v1/commands", content=body, headers=headers)
            assert response.status_code == 200, response.text
            (result,) = response.json()["results"]
            assert result["status"] == "accepted"
            event = client.get(f"/v1/events/{result['first_position']}",
                               headers={"Authorization": f"Bearer {secret}"}).json()
            assert event["actor"] == "recorder.vctf"
            assert event["metadata"]["channel"]["kind"] == "api"
            assert json.loads(body)["id"] == event["metadata"]["command_id"]
            assert client.get("/", headers={"Authorization": f"Bearer {secret}"}
                              ).status_code == 200
    finally:
        store.close()
