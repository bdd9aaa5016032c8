"""The ASGI app: the ``/v1`` API, ``/openapi.json`` and the dashboard, in one process.

Every answer carries a Content-Security-Policy that allows scripts only from this origin
(no inline script, no inline event handler) and styles only from it or the report's own
``<style>``; no page may be framed. Every failure is a problem+json answer: a refusal
names its field, a database that is down is a 503, anything else a 500 with no detail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

import sqlalchemy.exc as sa_exc
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventstore import EventStore, EventStoreError, StoreUnavailable
from eventstore.translate import translate
from opslog.service import openapi
from opslog.service.auth import Authenticator
from opslog.service.dashboard import pages
from opslog.service.limits import REQUEST_TIMEOUT_SECONDS, TimeoutMiddleware
from opslog.service.problems import Problem
from opslog.service.responses import JSONResponse
from opslog.service.routes import audit, commands, quarters
from opslog.service.state import ServiceState

LOG = logging.getLogger("opslog.service")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds `HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(pair for pair in HEADERS if pair[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _problem(_request: Request, error: Exception) -> Response:
    assert isinstance(error, Problem)
    return error.response()


async def _http(_request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    field = "path" if error.status_code == 404 else "method" if error.status_code == 405 else None
    detail = {404: "names no resource here", 405: "is not allowed on this resource"}.get(
        error.status_code, str(error.detail))
    headers = dict(error.headers or {})
    return Problem(error.status_code, detail, field=field, headers=headers).response()


async def _fault(_request: Request, error: Exception) -> Response:
    """A store or driver failure as a one-line problem; anything else as a bare 500."""
    if isinstance(error, sa_exc.DBAPIError):
        error = translate(error)
    if isinstance(error, StoreUnavailable):
        return Problem(503, f"the database connection was refused or lost: {error}",
                       headers={"Retry-After": "1"}).response()
    if isinstance(error, EventStoreError):
        return Problem(503, str(error)).response()
    LOG.exception("unexpected failure", exc_info=error)
    return Problem(500, "an unexpected fault; it is logged on the server").response()


def create_app(store: EventStore, authenticate: Authenticator, *, public: bool = False,
               timeout: float = REQUEST_TIMEOUT_SECONDS, owns_store: bool = False,
               reads: EventStore | None = None) -> Starlette:
    """The service over `store`; `authenticate` checks tokens (see `opslog.service.auth`).
    With `owns_store` the store is closed when the server shuts down. `reads`, a hot
    standby of `store`, answers the reading routes instead of it."""
    routes: list[BaseRoute] = [*commands.routes, *quarters.routes, *audit.routes]

    document = openapi.document(routes)

    async def openapi_json(_request: Request) -> Response:
        return JSONResponse(document)

    every: Sequence[BaseRoute] = [*routes, Route("/openapi.json", openapi_json,
                                                 methods=["GET"]), *pages.routes]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_store:
                store.close()
                if reads is not None:
                    reads.close()

    app = Starlette(
        routes=list(every),
        middleware=[Middleware(SecurityHeaders), Middleware(TimeoutMiddleware, seconds=timeout)],
        exception_handlers={Problem: _problem, HTTPException: _http, EventStoreError: _fault,
                            sa_exc.DBAPIError: _fault, Exception: _fault},
        lifespan=lifespan,
    )
    app.state.opslog = ServiceState(store=store, authenticate=authenticate, public=public,
                                     reads=reads)
    return app
