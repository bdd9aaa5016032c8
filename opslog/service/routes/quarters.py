"""``GET /v1/quarters/{quarter}/board`` and ``/report``: `opslog status` and `opslog report`
over HTTP, as JSON, CSV, Markdown or HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from marshmallow import Schema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalogue import Quarter
from commands.identity import Principal
from eventstore import EventStore
from opslog.service import reading
from opslog.service.dashboard.templating import board_markdown, board_page
from opslog.service.formats import MEDIA, chosen
from opslog.service.limits import blocking
from opslog.service.schemas import BOARD_FORMATS, REPORT_FORMATS, BoardQuery, ReportQuery
from opslog.service.state import anonymous_or_reader, load_query, quarter_of, service
from projections.quarter import forms
from projections.render.html import render_html
from projections.render.markdown import render_markdown


async def board(request: Request) -> Response:
    """The milestone board of a quarter.
    ---
    get:
      summary: The milestone board of a quarter at any cut-off
      parameters:
      - {in: path, name: quarter, required: true, schema: {type: string}, example: 2018-19-Q1}
      - {in: query, schema: BoardQuery}
      responses:
        200:
          description: The board (JSON here; csv, md and html by Accept or format)
          content:
            application/json: {schema: BoardAnswer}
            text/csv: {schema: {type: string}}
            text/markdown: {schema: {type: string}}
            text/html: {schema: {type: string}}
        default:
          description: A problem naming the field
          content:
            application/problem+json: {schema: ProblemSchema}
    """
    return await _quarter_view(request, BoardQuery(), BOARD_FORMATS, _board_text)


async def report(request: Request) -> Response:
    """The quarterly progress update.
    ---
    get:
      summary: The quarterly progress update at any cut-off
      parameters:
      - {in: path, name: quarter, required: true, schema: {type: string}, example: 2018-19-Q1}
      - {in: query, schema: ReportQuery}
      responses:
        200:
          description: The report (JSON here; csv, md and html by Accept or format)
          content:
            application/json: {schema: ReportAnswer}
            text/csv: {schema: {type: string}}
            text/markdown: {schema: {type: string}}
            text/html: {schema: {type: string}}
        default:
          description: A problem naming the field
          content:
            application/problem+json: {schema: ProblemSchema}
    """
    return await _quarter_view(request, ReportQuery(), REPORT_FORMATS, _report_text)


async def _quarter_view(request: Request, query: Schema, formats: Sequence[str],
                        render: Callable[..., str]) -> Response:
    """Who asks, the query, the quarter and the format, then `render` off the event loop."""
    who = anonymous_or_reader(request)
    params = load_query(query, request)
    quarter = quarter_of(request.path_params["quarter"])
    form = chosen(params.get("format"), request.headers.get("accept"), formats)
    text = await blocking(render, service(request).store_for(params), quarter, params, who, form)
    return Response(text, media_type=MEDIA[form])


def _board_text(store: EventStore, quarter: Quarter, params: dict[str, Any],
                who: Principal | None, form: str) -> str:
    found = reading.board(store, quarter, params, who)
    if form == "json":
        return forms.to_json(forms.board_form(found))
    if form == "csv":
        return forms.board_csv(found)
    if form == "md":
        return board_markdown(found)
    return board_page(found)


def _report_text(store: EventStore, quarter: Quarter, params: dict[str, Any],
                 who: Principal | None, form: str) -> str:
    built = reading.report(store, quarter, params, who)
    audit = bool(params.get("audit"))
    if form == "json":
        return forms.to_json(forms.report_form(built))
    if form == "csv":
        return forms.board_csv(built.board)
    if form == "md":
        return render_markdown(built, audit)
    return render_html(built, audit)


routes = [
    Route("/v1/quarters/{quarter}/board", board, methods=["GET"]),
    Route("/v1/quarters/{quarter}/report", report, methods=["GET"]),
]
