"""The service's read endpoints take ``as_reported`` (the declared date) as the CLI does."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from catalogue.reported import recorded_day
from tests.service.conftest import Served
from tests.service.test_api import assert_problem, post

BACKFILLED = {
    "command": "ReportMilestoneProgress", "id": "archive/charing-cross/q2",
    "reported_on": "2018-10-05",
    "data": {"milestone_id": "charing-cross", "quarter": "2018-19-Q2", "status": "on_track",
             "narrative": "Phase 1 works continue.", "as_of": "2018-09-30"}}


def test_a_back_filled_return_is_read_as_of_its_declared_date(served: Served) -> None:
    """The sample was recorded in July 2018 (on PostgreSQL, at the server's time: today)
    without declared dates; a Quarter 2 return is recorded now, declared on 5 October 2018.
    As reported on 19 July 2018 the board holds nothing; as reported today it holds the six
    milestones; the log cut on 5 October holds the return and nothing recorded later
    without a declared date; the diff from 19 July to today names the events that made
    each milestone appear."""
    accepted = post(served, json.dumps(BACKFILLED).encode(), "recorder")
    assert accepted.status_code == 200, accepted.text  # type: ignore[attr-defined]
    position = served.head()
    auth = served.auth("auditor")
    today = recorded_day(datetime.now(UTC)).isoformat()

    def milestones(day: str) -> list[str]:
        board = served.client.get(f"/v1/quarters/2018-19-Q1/board?as_reported={day}",
                                  headers=auth).json()
        assert board["cutoff"]["as_reported"] == day
        return [row["milestone_id"] for row in board["milestones"]]

    assert milestones("2018-07-19") == []
    assert len(milestones(today)) == 6
    report = served.client.get("/v1/quarters/2018-19-Q1/report?format=md&"
                               "as_reported=2018-07-19", headers=auth)
    assert "As reported by 19 July 2018" in report.text
    logged = served.client.get(f"/v1/log?from_position={position}&as_reported=2018-10-05",
                               headers=auth).json()["events"]
    assert [(event["position"], event["reported_on"]) for event in logged] == [
        (position, "2018-10-05")]
    assert served.client.get(f"/v1/log?from_position={position}&as_reported=2018-10-04",
                             headers=auth).json()["events"] == []
    diff = served.client.get(f"/v1/diff?quarter=2018-19-Q1&from_reported=2018-07-19&"
                             f"to_reported={today}", headers=auth).json()
    appeared = [change for change in diff["changes"] if change["kind"] == "milestone"]
    assert len(appeared) == 6 and all(change["causes"] for change in appeared)


def test_bad_declared_dates_are_problems_naming_the_parameter(served: Served) -> None:
    """A malformed date, a reversed pair, a diff with neither side named: 400 naming it; a
    command declaring a date after today: 422 naming reported_on, nothing written."""
    auth = served.auth("auditor")
    assert_problem(served.client.get("/v1/quarters/2018-19-Q1/board?as_reported=2018-02-30",
                                     headers=auth), 400, "as_reported")
    assert_problem(served.client.get("/v1/log?as_reported=soon", headers=auth), 400,
                   "as_reported")
    assert_problem(served.client.get("/v1/diff?quarter=2018-19-Q1&from_reported=2019-01-01&"
                                     "to_reported=2018-01-01", headers=auth), 400,
                   "to_reported")
    assert_problem(served.client.get("/v1/diff?quarter=2018-19-Q1", headers=auth), 400, "from")
    head = served.head()
    future = {**BACKFILLED, "reported_on": "2999-01-01"}
    assert_problem(post(served, json.dumps(future).encode(), "recorder"), 422, "reported_on")
    assert served.head() == head


def test_the_openapi_document_names_the_declared_date(served: Served) -> None:
    document = served.client.get("/openapi.json").json()
    for path in ("/v1/quarters/{quarter}/board", "/v1/quarters/{quarter}/report", "/v1/log"):
        names = {parameter["name"] for parameter in document["paths"][path]["get"]["parameters"]}
        assert "as_reported" in names, path
    diff = {parameter["name"] for parameter in document["paths"]["/v1/diff"]["get"]["parameters"]}
    assert {"from_reported", "to_reported"} <= diff
    envelope = document["components"]["schemas"]["CommandEnvelope"]["properties"]
    assert envelope["reported_on"]["format"] == "date"
