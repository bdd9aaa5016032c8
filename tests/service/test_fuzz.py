"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis against
the ASGI app): no request is answered 500, every refusal is problem+json, and a refused
request writes nothing. Examples are bounded and derandomized so the run stays short."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service.conftest import Served

EXAMPLES = 30


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_no_request_from_the_document_fails_the_server_or_writes_on_refusal(
        served: Served, role: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {
        "/v1/commands", "/v1/log", "/v1/diff", "/v1/events/{position}",
        "/v1/streams/{stream_id}", "/v1/quarters/{quarter}/board",
        "/v1/quarters/{quarter}/report"}
    headers = served.auth(role)
    seen: set[tuple[str, int]] = set()
    for operation in operations:
        # each report renders the whole narrative: few of them, for time
        examples = 5 if operation.path.endswith("/report") else EXAMPLES
        path = operation.path

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            before = served.head()
            response = case.call(headers=headers)
            label = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
            seen.add((path, response.status_code))  # noqa: B023 (run at once)
            assert response.status_code < 500, (label, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"][0] == "application/problem+json", label
                problem = response.json()
                assert problem["status"] == response.status_code, label
                assert served.head() == before or "results" in problem, label
                if "results" in problem:
                    accepted = sum(1 for result in problem["results"]
                                   if result["status"] == "accepted")
                    assert served.head() - before >= accepted, label
            elif case.method.upper() == "GET":
                assert served.head() == before, label

        check()
    statuses = {status for _, status in seen}
    assert 200 in statuses and statuses & {400, 404, 422}, seen
