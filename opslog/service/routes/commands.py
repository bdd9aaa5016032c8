"""``POST /v1/commands``: `opslog submit` over HTTP, as the token's actor.

The body is one JSON command or JSON Lines of them, read by the command file reader
(`commands.files`, with its line and value caps). Each line gets the answer `opslog
submit` prints, and its events record the ``api`` channel with the token's id. A line
naming an actor other than the token's is refused (`Forbidden`) and the request answers
403 naming ``actor``, as for a command the actor's roles do not allow; any other refusal
makes it a 422. Either way the lines accepted stay recorded, as with the CLI, and the
problem lists every line's answer; a command id resent answers "already recorded".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commands.errors import Refused
from commands.files import Item, read_commands
from commands.identity import Principal, api
from commands.outcome import Outcome, Status
from opslog.service.auth import require
from opslog.service.limits import blocking, read_body
from opslog.service.problems import Problem
from opslog.service.responses import JSONResponse
from opslog.service.state import ServiceState, service

JSON_TYPES = ("application/json", "application/x-ndjson", "application/jsonl",
              "application/json-seq", "text/plain")
FORBIDDEN = "forbidden"


async def submit(request: Request) -> Response:
    """Record commands.
    ---
    post:
      summary: Record one command, or JSON Lines of them, as the token's actor
      requestBody:
        required: true
        description: One JSON command, or one per line (JSON Lines); at most 8 MiB.
        content:
          application/json: {schema: Command}
          application/x-ndjson: {schema: {type: string}}
      responses:
        200:
          description: Every line accepted or already recorded
          content:
            application/json: {schema: SubmitAnswer}
        default:
          description: A problem naming the field; results lists every line's answer
          content:
            application/problem+json: {schema: ProblemSchema}
    """
    state = service(request)
    who = require(request, state.authenticate, cookie=False)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise Problem(415, "must be application/json or application/x-ndjson (JSON Lines)",
                      field="Content-Type")
    body = await read_body(request)
    items = list(read_commands(io.BytesIO(body)))
    if not items:
        raise Problem(400, "holds no commands", field="body")
    results = await blocking(_record, state, who, items)
    return _answer(results)


def _record(state: ServiceState, who: Principal,
            items: Iterable[tuple[int, Item]]) -> list[tuple[int, Outcome, str]]:
    """Submit each line in turn under the process's write lock: (line, outcome, why)."""
    answers: list[tuple[int, Outcome, str]] = []
    with state.write_lock:
        commands = state.command_service()
        for line, item in items:
            if isinstance(item, Refused):
                answers.append((line, Outcome.refused(item), ""))
                continue
            commands.channel = api(who.token_id)
            try:
                outcome = commands.submit(item, who.actor)
            except Exception:
                state.forget_commands()  # its write model may be half-folded: start afresh
                raise
            answers.append((line, outcome, FORBIDDEN if outcome.forbidden else ""))
    return answers


def result_form(line: int, outcome: Outcome) -> dict[str, Any]:
    return {
        "line": line,
        "status": outcome.status.value,
        "id": outcome.command_id,
        "command": outcome.command_type,
        "first_position": outcome.first_position,
        "last_position": outcome.last_position,
        "event_types": list(outcome.event_types),
        "problems": [{"field": field, "reason": reason} for field, reason in outcome.problems],
        "message": f"line {line}: {outcome.describe()}",
    }


def _answer(answers: list[tuple[int, Outcome, str]]) -> Response:
    results = [result_form(line, outcome) for line, outcome, _ in answers]
    counts = {status: sum(1 for _, outcome, _ in answers if outcome.status is status)
              for status in Status}
    refused = [(line, outcome, why) for line, outcome, why in answers
               if outcome.status is Status.REFUSED]
    if not refused:
        return JSONResponse({"results": results, "accepted": counts[Status.ACCEPTED],
                             "already_recorded": counts[Status.REPLAYED], "refused": 0})
    forbidden = [entry for entry in refused if entry[2] == FORBIDDEN]
    line, outcome, _ = (forbidden or refused)[0]
    status = 403 if forbidden else 422
    detail = outcome.reason or "refused"
    if len(answers) > 1:
        detail = f"line {line}: {detail} ({len(refused)} of {len(answers)} commands refused)"
    raise Problem(status, detail, field=outcome.field, extra={
        "line": line,
        "errors": [{"line": entry_line, "field": field, "reason": reason}
                   for entry_line, entry, _ in refused for field, reason in entry.problems],
        "results": results,
        "accepted": counts[Status.ACCEPTED],
        "already_recorded": counts[Status.REPLAYED],
        "refused": len(refused),
    })


routes = [Route("/v1/commands", submit, methods=["POST"])]
