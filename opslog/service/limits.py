"""What one request may cost: its body, its JSON, its time.

The body cap is checked twice: against ``Content-Length`` before anything is read, and
while the body streams in, so a chunked body cannot pass it either. The JSON caps are the
command file's own (`commands.files`): a line longer than `MAX_LINE_BYTES`, or with more
than `MAX_LINE_VALUES` values, is refused unparsed, and nesting deeper than the store's
`MAX_NESTING_DEPTH` is refused by the envelope. A request still running after
`REQUEST_TIMEOUT_SECONDS` is answered 503; a command it was writing may still have been
recorded, so the client resends it with the same id and learns which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commands.files import MAX_LINE_BYTES, MAX_LINE_VALUES
from eventstore.limits import MAX_NESTING_DEPTH
from opslog.service.problems import Problem

MAX_BODY_BYTES = 8 * 1024 * 1024
"""One request's body: two commands at the longest line a command file allows, or
thousands of ordinary ones as JSON Lines."""
REQUEST_TIMEOUT_SECONDS = 30.0
MAX_PAGE = 1_000
"""Events one ``GET /v1/log`` page holds at most."""

__all__ = ["MAX_BODY_BYTES", "MAX_LINE_BYTES", "MAX_LINE_VALUES", "MAX_NESTING_DEPTH",
           "MAX_PAGE", "REQUEST_TIMEOUT_SECONDS", "TimeoutMiddleware", "blocking",
           "read_body"]

T = TypeVar("T")


async def read_body(request: Request, cap: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, or a 413 problem as soon as it is known to exceed `cap`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Problem(400, "is not a number of bytes", field="Content-Length")
        if int(declared) > cap:
            raise _too_large(cap)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(cap: int) -> Problem:
    return Problem(413, f"is larger than {cap} bytes, the most one request may carry: "
                   "send the commands in several requests", field="body")


async def blocking(function: Callable[..., T], *args: Any) -> T:
    """Run `function` (database work) in a worker thread that a timeout can leave behind."""
    return await anyio.to_thread.run_sync(function, *args, abandon_on_cancel=True)


class TimeoutMiddleware:
    """Answers 503 (problem+json) when a request runs longer than `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float = REQUEST_TIMEOUT_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            with anyio.fail_after(self.seconds):
                await self.app(scope, receive, tracked)
        except TimeoutError:
            if started:
                raise
            problem = Problem(503, f"took longer than {self.seconds:g} s and was stopped; a "
                              "command may still have been recorded: resend it with the "
                              "same id to learn its outcome", headers={"Retry-After": "1"})
            await problem.response()(scope, receive, send)
