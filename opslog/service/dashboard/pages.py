"""The dashboard's pages: read-only, server-rendered, usable with or without script.

Each page is a plain GET form and a table; htmx (vendored under ``static/``, loaded as a
file, never inline) swaps only the table in when a control changes. Reading needs a token:
the sign-in form puts it in an HttpOnly, SameSite=Strict cookie (the only POST here, and
it writes nothing to the log). Under ``--public`` a published quarter's board and report
are open to anyone. Every recorded text is escaped by the templates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from marshmallow import Schema
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from catalogue import Quarter
from catalogue.channel import describe
from commands.identity import Principal
from eventstore import EventStore
from opslog.service import reading
from opslog.service.auth import COOKIE, identify
from opslog.service.dashboard.templating import due_text, render, status_text
from opslog.service.limits import blocking, read_body
from opslog.service.problems import Problem
from opslog.service.routes.audit import event_record, log_page, quarter_diff
from opslog.service.schemas import (
    BoardQuery,
    DiffQuery,
    LogQuerySchema,
    NoQuery,
    ReportPageQuery,
)
from opslog.service.state import load_query, quarter_of, service
from projections.render.html import render_html

STATIC = Path(__file__).parent / "static"
SIGN_IN_LIMIT = 4096
COOKIE_HOURS = 12


def _who(request: Request, *, published_ok: bool = False) -> Principal | None:
    """The reader; None only for an anonymous reader of published pages under --public."""
    state = service(request)
    who = identify(request, state.authenticate, cookie=True)
    if who is None and not (published_ok and state.public):
        raise Problem(401, "sign in with a token to read the dashboard", field="token")
    return who


def _params(schema: Schema, request: Request) -> dict[str, Any]:
    """The form's query, with its empty boxes left out."""
    scope = dict(request.scope)
    scope["query_string"] = "&".join(
        part for part in request.scope["query_string"].decode("latin-1").split("&")
        if part and not part.endswith("=")).encode("latin-1")
    return load_query(schema, Request(scope))


def page(name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    signed_in = bool(request.cookies.get(COOKIE))
    return HTMLResponse(render(name, signed_in=signed_in, **context), status_code=status)


def problem_page(request: Request, problem: Problem) -> HTMLResponse:
    name = "sign_in.html" if problem.status == 401 else "error.html"
    return page(name, request, problem.status, problem=problem, next=request.url.path)


async def index(request: Request) -> Response:
    quarter = Quarter.at(datetime.now(UTC))
    return page("index.html", request, sample=Quarter(2018, 1), current=quarter)


async def sign_in_form(request: Request) -> Response:
    return page("sign_in.html", request, problem=None, next="/")


async def sign_in(request: Request) -> Response:
    from urllib.parse import parse_qs

    body = (await read_body(request, SIGN_IN_LIMIT)).decode("utf-8", "replace")
    form = {key: values[0] for key, values in parse_qs(body).items()}
    token = form.get("token", "").strip()
    target = form.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    state = service(request)
    if not token or state.authenticate(token, datetime.now(UTC)) is None:
        problem = Problem(401, "is not a valid token: it is wrong, expired or revoked",
                          field="token")
        return page("sign_in.html", request, 401, problem=problem, next=target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, max_age=COOKIE_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


async def sign_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _board_context(store: EventStore, quarter: Quarter, params: dict[str, Any],
                   who: Principal | None) -> dict[str, Any]:
    board = reading.board(store, quarter, params, who)
    head = store.head().position
    return {"board": board, "head": head, "params": params, "quarter": quarter,
            "status_text": status_text, "due_text": due_text, "anonymous": who is None,
            "position": board.position}


async def board(request: Request) -> Response:
    try:
        who = _who(request, published_ok=True)
        params = _params(BoardQuery(), request)
        if params.get("as_of") is not None:
            params.pop("at_position", None)  # a time typed in overrides the slider
        quarter = quarter_of(request.path_params["quarter"])
        context = await blocking(_board_context, service(request).store_for(params), quarter,
                                 params, who)
    except Problem as problem:
        return problem_page(request, problem)
    name = "board_table.html" if request.headers.get("hx-request") else "board.html"
    return page(name, request, **context)


async def report(request: Request) -> Response:
    """The report page; a signed-in reader also gets a link to the other view (public or
    audit), a plain link since the page runs no script."""
    try:
        who = _who(request, published_ok=True)
        params = _params(ReportPageQuery(), request)
        audit = bool(params.pop("audit", False)) and who is not None
        quarter = quarter_of(request.path_params["quarter"])
        built = await blocking(reading.report, service(request).store_for(params), quarter,
                               params, who)
    except Problem as problem:
        return problem_page(request, problem)
    other = None if who is None else _other_view(request, audit)
    return HTMLResponse(await blocking(render_html, built, audit, other))


def _other_view(request: Request, audit: bool) -> str:
    """This page's query with the audit view switched: ``?as_of=…&audit=true``."""
    kept = [(name, value) for name, value in request.query_params.multi_items()
            if name != "audit" and value]
    return "?" + urlencode(kept + ([] if audit else [("audit", "true")]))


async def log(request: Request) -> Response:
    try:
        _who(request)
        params = _params(LogQuerySchema(), request)
        found = await blocking(log_page, service(request).read_store, params)
    except Problem as problem:
        return problem_page(request, problem)
    return page("log.html", request, params=params, values=dict(request.query_params),
                events=found["events"], next_from=found["next_from_position"],
                query=_next_query(request, found))


def _next_query(request: Request, found: dict[str, Any]) -> str | None:
    if found["next_from_position"] is None:
        return None
    from urllib.parse import urlencode

    kept = [(key, value) for key, value in request.query_params.multi_items()
            if key != "from_position" and value]
    return urlencode([*kept, ("from_position", found["next_from_position"])])


async def event(request: Request) -> Response:
    try:
        _who(request)
        load_query(NoQuery(), request)
        record = await blocking(event_record, service(request).read_store,
                                request.path_params["position"])
    except Problem as problem:
        return problem_page(request, problem)
    channel = describe(record["metadata"].get("channel"))
    return page("event.html", request, event=record, channel=channel)


async def diff(request: Request) -> Response:
    try:
        _who(request)
        given = {key for key, value in request.query_params.items() if value}
        result = None
        if {"quarter", "from"} <= given:
            params = _params(DiffQuery(), request)
            result = await blocking(quarter_diff, service(request).store_for(params), params)
    except Problem as problem:
        return problem_page(request, problem)
    return page("diff.html", request, result=result, query=dict(request.query_params))


routes = [
    Route("/", index, methods=["GET"]),
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
    Route("/quarters/{quarter}/board", board, methods=["GET"]),
    Route("/quarters/{quarter}/report", report, methods=["GET"]),
    Route("/log", log, methods=["GET"]),
    Route("/events/{position:int}", event, methods=["GET"]),
    Route("/diff", diff, methods=["GET"]),
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]
