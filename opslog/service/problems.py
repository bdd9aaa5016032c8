"""RFC 9457 problem details: every refusal the service gives, naming the field at fault."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from projections.render.json_text import json_text

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Refused",
    503: "Service unavailable",
}


class Problem(Exception):
    """A request refused with `status`; `field` names what was wrong with it."""

    def __init__(self, status: int, detail: str, *, field: str | None = None,
                 extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            body["field"] = self.field
            body["errors"] = [{"field": self.field, "reason": self.detail}]
        body.update(self.extra)
        return body

    def response(self) -> Response:
        return problem_response(self.body(), self.status, self.headers)


def problem_response(body: dict[str, Any], status: int,
                     headers: dict[str, str] | None = None) -> Response:
    """`body` as ``application/problem+json``."""
    return Response(json_text(body), status_code=status,
                    media_type=PROBLEM_TYPE, headers=headers)
