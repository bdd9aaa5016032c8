"""The /v1 API on SQLite and PostgreSQL: who may do what, and every refusal a problem
naming its field with nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from starlette.testclient import TestClient

from commands.files import MAX_LINE_BYTES, MAX_LINE_VALUES
from commands.identity import direct, issue_token, revoke_token
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator
from opslog.service.limits import MAX_BODY_BYTES
from tests.service.conftest import Served
from tests.service.q1 import CORRECTED_MILESTONE, ROLES

PROBLEM = "application/problem+json"
READS = [
    "/v1/quarters/2018-19-Q1/board",
    "/v1/quarters/2018-19-Q1/report",
    "/v1/log?limit=5",
    "/v1/streams/milestone-charing-cross",
    "/v1/diff?quarter=2018-19-Q1&from=2018-07-01T00:00:00Z",
    "/v1/events/3",
]


def theme(command_id: str, **envelope: object) -> bytes:
    return json.dumps({"command": "DefineTheme", "id": command_id,
                       "data": {"number": 9, "title": "Ninth"}, **envelope}).encode()


def post(served: Served, body: bytes, role: str | None = "admin",
         media: str = "application/json") -> object:
    headers = {"content-type": media}
    if role is not None:
        headers.update(served.auth(role))
    return served.client.post("/v1/commands", content=body, headers=headers)


def assert_problem(response: object, status: int, field: str | None) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body.get("field") == field, body
    return body


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_reads_every_resource(served: Served, role: str) -> None:
    head = served.head()
    for path in READS:
        response = served.client.get(path, headers=served.auth(role))
        assert response.status_code == 200, (path, response.text)
    assert served.head() == head


def test_reads_without_a_token_are_refused(served: Served) -> None:
    for path in READS:
        response = served.client.get(path)
        assert_problem(response, 401, "Authorization")
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("performance", 403), ("recorder", 403), ("auditor", 403)])
def test_only_an_admin_defines_a_theme(served: Served, role: str, status: int) -> None:
    head = served.head()
    response = post(served, theme(f"theme-9-by-{role}"), role)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["results"][0]["status"] == "accepted"
        assert served.head() == head + 1
    else:
        assert_problem(response, 403, "actor")
        assert served.head() == head


def test_a_recorder_reports_progress_for_its_own_unit_only(served: Served) -> None:
    own = {"command": "ReportMilestoneProgress", "id": "estates/cc/q2",
           "data": {"milestone_id": CORRECTED_MILESTONE, "quarter": "2018-19-Q2",
                    "status": "on_track", "narrative": "Works continue.",
                    "as_of": "2018-09-30"}}
    accepted = post(served, json.dumps(own).encode(), "recorder")
    assert accepted.status_code == 200, accepted.text
    other = {**own, "id": "estates/vctf/q2",
             "data": {**own["data"], "milestone_id": "vctf"}}  # type: ignore[dict-item]
    head = served.head()
    assert_problem(post(served, json.dumps(other).encode(), "recorder"), 403, "actor")
    assert served.head() == head


def test_the_event_records_the_api_channel_and_the_tokens_actor(served: Served) -> None:
    response = post(served, theme("theme-9"))
    position = response.json()["results"][0]["first_position"]
    event = served.client.get(f"/v1/events/{position}", headers=served.auth("auditor")).json()
    assert event["actor"] == ROLES["admin"]
    assert event["metadata"]["channel"] == {"kind": "api", "token_id": served.q1.token_ids["admin"]}
    assert len(event["hash"]) == 64 and len(event["prev_hash"]) == 64


def test_a_command_resent_is_already_recorded(served: Served) -> None:
    first = post(served, theme("theme-9")).json()["results"][0]
    head = served.head()
    again = post(served, theme("theme-9"))
    assert again.status_code == 200
    answer = again.json()["results"][0]
    assert answer["status"] == "already recorded"
    assert answer["first_position"] == first["first_position"]
    assert served.head() == head


def test_actor_spoofing_is_forbidden_naming_the_field(served: Served) -> None:
    head = served.head()
    body = assert_problem(post(served, theme("spoof", actor="performance.analyst"), "recorder"),
                          403, "actor")
    assert "performance.analyst" in str(body["detail"])
    assert served.head() == head


def test_json_lines_answer_every_line(served: Served) -> None:
    body = b"\n".join([theme("t-a"), theme("t-a"), theme("t-b", actor="audit.reviewer")])
    head = served.head()
    problem = assert_problem(post(served, body, media="application/x-ndjson"), 403, "actor")
    statuses = [result["status"] for result in problem["results"]]  # type: ignore[union-attr]
    assert statuses == ["accepted", "already recorded", "refused"]
    assert problem["line"] == 3
    assert served.head() == head + 1


@pytest.mark.parametrize(("secret", "why"), [("not-a-token", "wrong"), ("", "empty")])
def test_a_wrong_token_is_refused(served: Served, secret: str, why: str) -> None:
    headers = {"Authorization": f"Bearer {secret}", "content-type": "application/json"}
    head = served.head()
    for path in READS:
        assert_problem(served.client.get(path, headers=headers), 401, "Authorization")
    assert_problem(served.client.post("/v1/commands", content=theme("x"), headers=headers),
                   401, "Authorization")
    assert served.head() == head


def test_an_expired_token_is_refused_on_its_next_request(served: Served) -> None:
    issued = issue_token(served.store, actor=ROLES["auditor"], issued_by=ROLES["admin"],
                         expires_in=timedelta(hours=1), channel=direct())
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert served.client.get(READS[2], headers=headers).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1, seconds=1)):
        assert_problem(served.client.get(READS[2], headers=headers), 401, "Authorization")


def test_a_revoked_token_is_refused_on_its_next_request(served: Served) -> None:
    assert served.client.get(READS[2], headers=served.auth("recorder")).status_code == 200
    revoke_token(served.store, served.q1.token_ids["recorder"], revoked_by=ROLES["admin"],
                 channel=direct())
    head = served.head()
    assert_problem(served.client.get(READS[2], headers=served.auth("recorder")), 401,
                   "Authorization")
    assert_problem(post(served, theme("after-revoke"), "recorder"), 401, "Authorization")
    assert served.head() == head


def test_a_revoked_role_is_refused_from_its_position_on(served: Served) -> None:
    revoke = {"command": "RevokeRole", "id": "revoke/estates",
              "data": {"actor": ROLES["recorder"], "role": "recorder", "unit_id": "estates"}}
    answer = post(served, json.dumps(revoke).encode())
    assert answer.status_code == 200, answer.text
    head = served.head()
    report = {"command": "ReportMilestoneProgress", "id": "estates/cc/after",
              "data": {"milestone_id": CORRECTED_MILESTONE, "quarter": "2018-19-Q2",
                       "status": "on_track", "narrative": "x", "as_of": "2018-09-30"}}
    assert_problem(post(served, json.dumps(report).encode(), "recorder"), 403, "actor")
    assert_problem(served.client.get(READS[2], headers=served.auth("recorder")), 403, "actor")
    assert served.head() == head


def test_an_oversized_body_is_refused_unread(served: Served) -> None:
    head = served.head()
    body = b" " * (MAX_BODY_BYTES + 1)
    assert_problem(post(served, body), 413, "body")

    def chunks() -> object:
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    streamed = served.client.post("/v1/commands", content=chunks(),  # type: ignore[arg-type]
                                  headers={**served.auth("admin"),
                                           "content-type": "application/json"})
    assert_problem(streamed, 413, "body")
    assert served.head() == head


@pytest.mark.parametrize(("body", "field"), [
    (b'{"command": "DefineTheme", "id": "x", "data": {', "json"),
    (b'{"command": "DefineTheme", "id": "x", "data": {}, "colour": "red"}', "colour"),
    (b'{"command": "DefineTheme", "id": "x", "data": {"number": 9, "title": "t", "x": 1}}',
     "x"),
    (b'{"command": "DefineTheme", "id": "x", "id": "y", "data": {}}', "json"),
    (b'[1, 2]', "json"),
    (b"[" * 5000 + b"]" * 5000, "json"),
    (b'{"command": "Nope", "id": "x", "data": {}}', "command"),
])
def test_malformed_commands_are_problems_naming_the_field(served: Served, body: bytes,
                                                          field: str) -> None:
    head = served.head()
    problem = assert_problem(post(served, body), 422, field)
    assert problem["errors"]
    assert served.head() == head


def test_a_body_that_is_not_json_is_refused_by_its_type(served: Served) -> None:
    head = served.head()
    assert_problem(post(served, theme("x"), media="application/x-www-form-urlencoded"), 415,
                   "Content-Type")
    assert_problem(post(served, b"   "), 400, "body")
    assert served.head() == head


def test_no_get_changes_state_and_writes_need_post(served: Served) -> None:
    head = served.head()
    assert_problem(served.client.get("/v1/commands", headers=served.auth("admin")), 405,
                   "method")
    assert_problem(served.client.put("/v1/quarters/2018-19-Q1/board",
                                      headers=served.auth("admin")), 405, "method")
    assert served.head() == head


def test_the_board_in_every_format(served: Served) -> None:
    auth = served.auth("auditor")
    path = "/v1/quarters/2018-19-Q1/board"
    board = served.client.get(path, headers=auth).json()
    assert board["quarter"] == "2018-19-Q1" and board["milestones"]
    assert served.client.get(path, headers={**auth, "accept": "text/csv"}).text.startswith(
        "quarter,milestone_id")
    markdown = served.client.get(path + "?format=md", headers=auth)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "| charing-cross |" in markdown.text.replace("\\-", "-")
    page = served.client.get(path, headers={**auth, "accept": "text/html"})
    assert '<td class="c-id">charing-cross</td>' in page.text
    assert_problem(served.client.get(path, headers={**auth, "accept": "image/png"}), 406,
                   "Accept")


def test_the_cut_offs_change_the_answer(served: Served) -> None:
    auth = served.auth("performance")
    path = "/v1/quarters/2018-19-Q1/board"

    def status(query: str) -> str:
        rows = served.client.get(path + query, headers=auth).json()["milestones"]
        (row,) = [row for row in rows if row["milestone_id"] == CORRECTED_MILESTONE]
        return str(row["status"])

    assert status("") == "on_track"
    between = quote(served.q1.before_correction)
    assert status(f"?as_of={between}") == "delivered"
    assert status(f"?at_position={served.q1.correction - 1}") == "delivered"
    assert_problem(served.client.get(path + "?as_of=yesterday", headers=auth), 400, "as_of")
    assert_problem(served.client.get(path + f"?as_of={between}&at_position=3", headers=auth),
                   400, "at_position")
    assert_problem(served.client.get(path + "?at_position=99999", headers=auth), 400,
                   "at_position")
    assert_problem(served.client.get(path + "?colour=red", headers=auth), 400, "colour")
    assert_problem(served.client.get("/v1/quarters/2018-19-Q9/board", headers=auth), 404,
                   "quarter")


def test_the_log_pages_by_position_with_the_clis_filters(served: Served) -> None:
    auth = served.auth("auditor")
    seen: list[int] = []
    cursor: int | None = 1
    while cursor is not None:
        page = served.client.get(f"/v1/log?limit=40&from_position={cursor}", headers=auth)
        assert page.status_code == 200
        seen += [event["position"] for event in page.json()["events"]]
        cursor = page.json()["next_from_position"]
    assert seen == list(range(1, served.head() + 1))
    corrections = served.client.get("/v1/log?type=EventCorrected", headers=auth).json()
    assert [event["position"] for event in corrections["events"]] == [served.q1.correction]
    by_actor = served.client.get(f"/v1/log?actor={ROLES['recorder']}", headers=auth).json()
    assert {event["actor"] for event in by_actor["events"]} == {ROLES["recorder"]}
    assert_problem(served.client.get("/v1/log?limit=0", headers=auth), 400, "limit")
    assert_problem(served.client.get("/v1/log?since=2018-08-01T00:00:00Z&until=2018-07-01"
                                     "T00:00:00Z", headers=auth), 400, "until")


def test_the_diff_names_the_corrected_milestone(served: Served) -> None:
    between = quote(served.q1.before_correction)
    answer = served.client.get(f"/v1/diff?quarter=2018-19-Q1&from={between}",
                               headers=served.auth("auditor")).json()
    keys = [change["key"] for change in answer["changes"]]
    assert CORRECTED_MILESTONE in keys
    (change,) = [c for c in answer["changes"] if c["key"] == CORRECTED_MILESTONE]
    assert [cause["position"] for cause in change["causes"]] == [served.q1.correction]


def test_an_event_and_a_stream_that_are_not_there(served: Served) -> None:
    auth = served.auth("auditor")
    assert_problem(served.client.get(f"/v1/events/{served.head() + 1}", headers=auth), 404,
                   "position")
    assert_problem(served.client.get("/v1/streams/milestone-nowhere", headers=auth), 404,
                   "stream_id")


def test_the_openapi_document_is_generated_from_the_schemas(served: Served) -> None:
    document = served.client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    assert "DefineTheme" in schemas["CommandEnvelope"]["properties"]["command"]["enum"]
    variants = {ref["$ref"].rsplit("/", 1)[1] for ref in schemas["Command"]["oneOf"]}
    assert "ReportMilestoneProgressCommand" in variants and "RevokeRoleCommand" in variants
    progress = schemas["ReportMilestoneProgressData"]["properties"]
    assert "enum" not in progress["status"]  # the scale in force decides, not the schema
    assert "scale in force" in progress["status"]["description"]
    assert "DefineStatusScaleCommand" in variants
    parameters = document["paths"]["/v1/log"]["get"]["parameters"]
    assert {"stream", "category", "type", "unit", "actor", "since", "until",
            "from_position", "limit"} <= {parameter["name"] for parameter in parameters}
    assert str(MAX_BODY_BYTES) in document["info"]["description"]


def test_the_command_files_line_caps_hold_over_http(served: Served) -> None:
    head = served.head()
    many = b'{"command": "DefineTheme", "id": "x", "data": {"n": [' + b"0," * (
        MAX_LINE_VALUES + 1) + b"0]}}"
    problem = assert_problem(post(served, many), 422, "json")
    assert "commas" in str(problem["detail"])
    long_line = b'{"command": "DefineTheme", "id": "x", "data": {"t": "' + b"a" * (
        MAX_LINE_BYTES + 1) + b'"}}'
    assert len(long_line) <= MAX_BODY_BYTES
    assert_problem(post(served, long_line + b"\n" + theme("after")), 422, "json")
    assert served.head() == head + 1  # the line after the long one still went through


def test_a_request_running_past_the_timeout_is_answered_503(served: Served) -> None:
    app = create_app(served.store, token_authenticator(served.store), timeout=1e-6)
    with TestClient(app) as client:
        response = client.get("/v1/quarters/2018-19-Q1/report", headers=served.auth("admin"))
    assert_problem(response, 503, None)
    assert "longer than" in response.json()["detail"]
