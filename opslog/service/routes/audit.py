"""The auditor's reads over HTTP: ``/v1/log`` (the filters of `opslog log`, a page at a
time by position), ``/v1/streams/{id}`` (`opslog history`), ``/v1/events/{position}``
(one event with its hashes) and ``/v1/diff`` (`opslog diff`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from eventstore import EventStore, RecordedEvent
from opslog.audit.diff_form import diff_as_json
from opslog.audit.log_view import (
    LogQuery,
    select_events,
    stream_history,
    summarise,
    to_entry,
)
from opslog.audit.render import as_record
from opslog.service.limits import blocking
from opslog.service.problems import Problem
from opslog.service.responses import JSONResponse
from opslog.service.schemas import DiffQuery, LogQuerySchema, NoQuery
from opslog.service.state import load_query, quarter_of, reader, service
from projections.audit.diff import diff_quarter
from projections.audit.lineage import Lineage, catalogue_summary
from projections.query import resolve_cutoff

SUMMARISE = catalogue_summary(summarise)
PROBLEMS = """
        default:
          description: A problem naming the field
          content:
            application/problem+json: {schema: ProblemSchema}
"""


def log_page(store: EventStore, params: dict[str, Any]) -> dict[str, Any]:
    """One page of the log and the cursor for the next (None at the end)."""
    limit = params["limit"]
    query = LogQuery(stream=params.get("stream"), category=params.get("category"),
                     type=params.get("type"), unit=params.get("unit"),
                     actor=params.get("actor"), since=params.get("since"),
                     until=params.get("until"), from_position=params["from_position"],
                     limit=limit + 1, reported=params.get("as_reported"))
    page = list(select_events(store, query))
    lineage = Lineage.of_streams(store, (event.stream_id for event in page))
    entries = [to_entry(event, SUMMARISE, lineage.note) for event in page]
    more = len(entries) > limit
    return {"events": [as_record(entry) for entry in entries[:limit]],
            "next_from_position": entries[limit].position if more else None}


async def log(request: Request) -> Response:
    """The log.
    ---
    get:
      summary: Who recorded what, when (the filters of opslog log), a page at a time
      parameters:
      - {in: query, schema: LogQuerySchema}
      responses:
        200:
          description: A page of events, oldest first
          content:
            application/json: {schema: LogPage}
    """
    reader(request)
    params = load_query(LogQuerySchema(), request)
    return JSONResponse(await blocking(log_page, service(request).read_store, params))


def history(store: EventStore, stream_id: str) -> dict[str, Any]:
    lineage = Lineage.of_streams(store, [stream_id])
    entries = stream_history(store, stream_id, SUMMARISE, lineage.note)
    if not entries:
        raise Problem(404, f"stream {stream_id!r} has no events", field="stream_id")
    return {"stream_id": stream_id, "events": [as_record(entry) for entry in entries]}


async def stream(request: Request) -> Response:
    """One stream.
    ---
    get:
      summary: One stream's life, version by version (opslog history)
      parameters:
      - {in: path, name: stream_id, required: true, schema: {type: string}}
      responses:
        200:
          description: The stream's events
          content:
            application/json: {schema: StreamAnswer}
    """
    reader(request)
    load_query(NoQuery(), request)
    stream_id = request.path_params["stream_id"]
    return JSONResponse(await blocking(history, service(request).read_store, stream_id))


def recorded(store: EventStore, position: int) -> RecordedEvent:
    head = store.head().position
    if not 1 <= position <= head:
        raise Problem(404, f"is not in the log (head is {head})", field="position")
    return next(iter(store.read_all(position, position)))


def event_record(store: EventStore, position: int) -> dict[str, Any]:
    """One event as the log shows it, with its chain hashes."""
    event = recorded(store, position)
    lineage = Lineage.of_streams(store, [event.stream_id])
    record = as_record(to_entry(event, SUMMARISE, lineage.note))
    record["hash"] = event.hash
    record["prev_hash"] = event.prev_hash
    return record


async def event(request: Request) -> Response:
    """One event.
    ---
    get:
      summary: One event with its hashes and channel
      parameters:
      - {in: path, name: position, required: true, schema: {type: integer, minimum: 1}}
      responses:
        200:
          description: The event
          content:
            application/json: {schema: EventSchema}
    """
    reader(request)
    load_query(NoQuery(), request)
    position = request.path_params["position"]
    return JSONResponse(await blocking(event_record, service(request).read_store, position))


def quarter_diff(store: EventStore, params: dict[str, Any]) -> dict[str, Any]:
    quarter = quarter_of(params["quarter"])
    before = resolve_cutoff(store, as_of=params.get("from_"),
                            reported=params.get("from_reported"))
    after = resolve_cutoff(store, as_of=params.get("to"), reported=params.get("to_reported"))
    return diff_as_json(diff_quarter(store, quarter, before, after))


async def diff(request: Request) -> Response:
    """A diff.
    ---
    get:
      summary: What changed in a quarter's board and report between two cut-offs, and why
      parameters:
      - {in: query, schema: DiffQuery}
      responses:
        200:
          description: Each change with the events that made it
          content:
            application/json: {schema: DiffAnswer}
    """
    reader(request)
    params = load_query(DiffQuery(), request)
    return JSONResponse(await blocking(quarter_diff, service(request).store_for(params), params))


for _view in (log, stream, event, diff):
    assert _view.__doc__ is not None
    _view.__doc__ = _view.__doc__.rstrip() + "\n" + PROBLEMS.rstrip("\n")

routes = [
    Route("/v1/log", log, methods=["GET"]),
    Route("/v1/streams/{stream_id:path}", stream, methods=["GET"]),
    Route("/v1/events/{position:int}", event, methods=["GET"]),
    Route("/v1/diff", diff, methods=["GET"]),
]
