"""What every route shares: the store, the token check, the one command service per
process (a lock keeps its in-memory write model to one command at a time), and whether
published quarters are open to anyone."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from starlette.requests import Request

from catalogue import PeriodError, Quarter
from commands import permissions
from commands.errors import Refused, problems_from
from commands.identity import Principal
from commands.service import CommandService
from eventstore import EventStore
from opslog.service.auth import Authenticator, identify, require
from opslog.service.problems import Problem

POSITIONAL_CUTOFFS = ("as_of", "at_position", "from_", "to")
"""Query parameters that name a point of the log (a time or a position)."""


@dataclass
class ServiceState:
    store: EventStore
    authenticate: Authenticator
    public: bool = False
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    reads: EventStore | None = None
    """A hot standby of `store` that questions go to (boards, reports, the log); None: `store`."""
    _commands: CommandService | None = None

    @property
    def read_store(self) -> EventStore:
        """Where the reading routes ask: the standby when there is one, else the store."""
        return self.reads if self.reads is not None else self.store

    def store_for(self, params: Mapping[str, Any]) -> EventStore:
        """The standby for questions about the log as it stands (it answers at its own
        head); the primary for a cut-off in time or position, which a standby that has not
        replayed that far could get wrong."""
        if any(params.get(key) is not None for key in POSITIONAL_CUTOFFS):
            return self.store
        return self.read_store


    def command_service(self) -> CommandService:
        """The process's command service (call with `write_lock` held)."""
        if self._commands is None:
            self._commands = CommandService(self.store)
        return self._commands

    def forget_commands(self) -> None:
        self._commands = None


def service(request: Request) -> ServiceState:
    found: ServiceState = request.app.state.opslog
    return found


def reader(request: Request, *, cookie: bool = True) -> Principal:
    """Who reads: a valid token (header, or the dashboard's cookie) whose actor holds a
    role now (401 without one, 403 for an actor whose roles were all revoked)."""
    state = service(request)
    return may_read(state, require(request, state.authenticate, cookie=cookie))


def anonymous_or_reader(request: Request, *, cookie: bool = True) -> Principal | None:
    """With ``--public``: a reader, or None for anyone without a token (published only)."""
    state = service(request)
    if not state.public:
        return reader(request, cookie=cookie)
    found = identify(request, state.authenticate, cookie=cookie)
    return None if found is None else may_read(state, found)


def may_read(state: ServiceState, who: Principal) -> Principal:
    try:
        permissions.require(state.store, who.actor, "read")
    except Refused as refusal:
        raise Problem(403, refusal.reason, field=refusal.field) from None
    return who


def load_query(schema: Schema, request: Request) -> dict[str, Any]:
    """The query string loaded by `schema`; a 400 problem names the first bad parameter."""
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise Problem(400, "is given more than once", field=key)
        params[key] = value
    try:
        loaded: dict[str, Any] = schema.load(params)
    except ValidationError as error:
        problems = problems_from(error.messages)
        raise Problem(400, problems[0][1], field=problems[0][0],
                      extra={"errors": [{"field": f, "reason": r} for f, r in problems]}
                      ) from None
    return loaded


def quarter_of(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except PeriodError as error:
        raise Problem(404, str(error), field="quarter") from None
