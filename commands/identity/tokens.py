"""Bearer tokens: issued to an actor by an admin, checked by hash, revoked by an admin.

A secret is 256 random bits (`secrets.token_urlsafe(32)`), shown once to whoever issues
it. The database keeps its SHA-256 in the ``tokens`` table, never the secret; the log
records each issue and revocation as an event (token id, actor, who, when, channel) that
holds neither. The row and the event commit together or not at all.

Authenticating looks a token up by the hash of what was presented: the comparison is the
database's unique-index lookup on a digest, which tells an attacker nothing about how
close a guess came, and the digests are compared once more with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalogue import Metadata, TokenIssued, TokenRevoked, encode
from catalogue.channel import Channel
from catalogue.identity import token_stream
from commands.envelope import check_actor
from commands.errors import Refused
from commands.identity.tables import tokens
from commands.permissions import require
from eventstore import EventStore, NewEvent

SECRET_BYTES = 32
MAX_SECRET_LENGTH = 200
"""A presented secret longer than this is no token of ours and is not even hashed."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What issuing returns: the only time the secret exists outside its holder's hands."""

    token_id: str
    secret: str
    actor: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request is: the token's actor, and the token that said so."""

    actor: str
    token_id: str


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as `list_tokens` shows it: everything but the hash."""

    token_id: str
    actor: str
    created_at: datetime
    issued_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment


def issue_token(store: EventStore, *, actor: str, issued_by: str,
                expires_in: timedelta | None, channel: Channel,
                now: datetime | None = None) -> IssuedToken:
    """Issue a token for `actor`: `issued_by` must be an admin (`Forbidden` otherwise);
    `expires_in`, if given, must be positive. Records ``TokenIssued``."""
    require(store, issued_by, "tokens")
    actor = check_actor(actor)
    if expires_in is not None and expires_in <= timedelta(0):
        raise Refused("expires", "must be a positive duration")
    moment = _now(now)
    expires_at = moment + expires_in if expires_in is not None else None
    token_id = f"tok-{uuid.uuid4().hex}"
    secret = secrets.token_urlsafe(SECRET_BYTES)
    event = TokenIssued(token_id=token_id, actor=actor, expires_at=expires_at)
    row = {"token_id": token_id, "actor": actor, "secret_sha256": secret_hash(secret),
           "created_at": moment, "issued_by": issued_by, "expires_at": expires_at}

    def insert(connection: sa.Connection) -> None:
        connection.execute(tokens.insert().values(**row))

    _record(store, event, "IssueToken", issued_by, channel, together=insert)
    return IssuedToken(token_id=token_id, secret=secret, actor=actor, expires_at=expires_at)


def revoke_token(store: EventStore, token_id: str, *, revoked_by: str, channel: Channel,
                 now: datetime | None = None) -> TokenInfo:
    """Revoke a token from now on: `revoked_by` must be an admin; an unknown or already
    revoked token is `Refused` naming ``token_id``. Records ``TokenRevoked``."""
    require(store, revoked_by, "tokens")
    found = _find(store, token_id)
    if found is None:
        raise Refused("token_id", f"no token {token_id!r} was issued")
    if found.revoked_at is not None:
        raise Refused("token_id", f"was already revoked at {found.revoked_at.isoformat()} "
                      f"by {found.revoked_by}")
    moment = _now(now)

    def update(connection: sa.Connection) -> None:
        changed = connection.execute(
            tokens.update()
            .where(tokens.c.token_id == found.token_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=moment, revoked_by=revoked_by)
        ).rowcount
        if changed != 1:
            raise Refused("token_id", "was revoked by someone else meanwhile")

    _record(store, TokenRevoked(token_id=found.token_id, actor=found.actor), "RevokeToken",
            revoked_by, channel, together=update)
    revoked = _find(store, found.token_id)
    assert revoked is not None
    return revoked


def authenticate(source: EventStore | Engine, secret: str, *,
                 now: datetime | None = None) -> Principal | None:
    """The principal a presented secret stands for, or None: unknown, expired (at or
    after its expiry) and revoked tokens alike."""
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    try:
        digest = secret_hash(secret)
    except UnicodeEncodeError:
        return None
    engine = source.engine if isinstance(source, EventStore) else source
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(tokens.c.token_id, tokens.c.actor, tokens.c.secret_sha256,
                      tokens.c.expires_at, tokens.c.revoked_at)
            .where(tokens.c.secret_sha256 == digest)
        ).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, digest):
        return None
    if row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= _now(now):
        return None
    return Principal(actor=row.actor, token_id=row.token_id)


def list_tokens(store: EventStore) -> list[TokenInfo]:
    """Every token issued, oldest first (the caller checks `require(…, "tokens")`)."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(*_INFO).order_by(tokens.c.created_at, tokens.c.token_id)).all()
    return [TokenInfo(*row) for row in rows]


_INFO = (tokens.c.token_id, tokens.c.actor, tokens.c.created_at, tokens.c.issued_by,
         tokens.c.expires_at, tokens.c.revoked_at, tokens.c.revoked_by)


def _find(store: EventStore, token_id: object) -> TokenInfo | None:
    if not isinstance(token_id, str) or len(token_id) > 40:
        return None
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.select(*_INFO).where(tokens.c.token_id == token_id)).first()
    return TokenInfo(*row) if row is not None else None


def _record(store: EventStore, event: TokenIssued | TokenRevoked, command_type: str,
            actor: str, channel: Channel, *,
            together: Callable[[sa.Connection], None]) -> None:
    """Append the admin act's event, with the table change in the same transaction."""
    command_id = f"{command_type}/{event.token_id}"
    metadata = Metadata(actor=actor, unit=None, command_id=command_id,
                        command_type=command_type, correlation_id=command_id,
                        causation_id=command_id, channel=channel.as_dict())
    new_event = NewEvent(type=event.type_name, data=encode(event),
                         metadata=metadata.as_dict(), schema_version=event.schema_version)
    expected = 0 if isinstance(event, TokenIssued) else 1
    store.append(event.stream_id, [new_event], expected, idempotency_key=command_id,
                 together=together)


__all__ = ["IssuedToken", "Principal", "TokenInfo", "authenticate", "issue_token",
           "list_tokens", "revoke_token", "secret_hash", "token_stream"]
