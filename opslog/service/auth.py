"""Who is asking: the bearer token of a request, checked against the token store.

An API request carries ``Authorization: Bearer SECRET``; the dashboard may carry the same
secret in an HttpOnly, SameSite=Strict cookie instead, which is accepted for reading only
(a write needs the header, so no other site can make a browser write). The check itself
is the identity package's (`authenticate`); this module only finds the secret and turns
its absence or refusal into a 401.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from starlette.requests import Request

from commands.identity import Principal, authenticate
from eventstore import EventStore
from opslog.service.problems import Problem

COOKIE = "opslog_token"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="opslog"'}


Authenticator = Callable[[str, datetime], Principal | None]
"""(secret, now) → who holds it, or None for a wrong, expired or revoked token."""


def token_authenticator(store: EventStore) -> Authenticator:
    """The identity package's check against `store`'s tokens table."""

    def check(secret: str, now: datetime) -> Principal | None:
        return authenticate(store, secret, now=now)

    return check


def secret_of(request: Request, *, cookie: bool) -> str | None:
    """The bearer secret the request carries (from the cookie too when `cookie`)."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Problem(401, "must be 'Bearer' and a token", field="Authorization",
                          headers=CHALLENGE)
        return value.strip()
    if cookie:
        return request.cookies.get(COOKIE) or None
    return None


def identify(request: Request, authenticate: Authenticator, *,
             cookie: bool) -> Principal | None:
    """The request's principal; None when it carries no token; 401 for a bad one."""
    secret = secret_of(request, cookie=cookie)
    if secret is None:
        return None
    found = authenticate(secret, datetime.now(UTC))
    if found is None:
        raise Problem(401, "is not a valid token: it is wrong, expired or revoked",
                      field="Authorization", headers=CHALLENGE)
    return found


def require(request: Request, authenticate: Authenticator, *, cookie: bool) -> Principal:
    """The request's principal, or 401 when it has none."""
    found = identify(request, authenticate, cookie=cookie)
    if found is None:
        raise Problem(401, "is required: send 'Authorization: Bearer TOKEN' (opslog tokens "
                      "issue)", field="Authorization", headers=CHALLENGE)
    return found
