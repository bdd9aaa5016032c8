"""Who may authenticate: bearer tokens issued to actors and revoked, as events.

The events say which token, for which actor, until when; who issued or revoked it is the
event's metadata actor. The secret and its hash are never in the log: the database's
``tokens`` table (the write side's) keeps the hash, and a log export carries neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marshmallow import fields, validate

from catalogue.base import DomainEvent, EventSchema, event_type
from catalogue.structure import ACTOR

TOKEN_ID = validate.Regexp(r"^tok-[0-9a-f]{32}$", error="must be a token id (tok- and 32 hex)")


def token_stream(token_id: str) -> str:
    return f"token-{token_id}"


class TokenIssuedSchema(EventSchema):
    token_id = fields.String(required=True, validate=TOKEN_ID)
    actor = fields.String(required=True, validate=ACTOR)
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


@event_type("TokenIssued", TokenIssuedSchema)
@dataclass(frozen=True, slots=True, kw_only=True)
class TokenIssued(DomainEvent):
    """A bearer token now authenticates `actor` (until `expires_at`, if set)."""

    token_id: str
    actor: str
    expires_at: datetime | None = None

    @property
    def stream_id(self) -> str:
        return token_stream(self.token_id)

    def summary(self) -> str:
        until = f" until {self.expires_at.isoformat()}" if self.expires_at else ""
        return f"token {self.token_id} issued to {self.actor}{until}"


class TokenRevokedSchema(EventSchema):
    token_id = fields.String(required=True, validate=TOKEN_ID)
    actor = fields.String(required=True, validate=ACTOR)


@event_type("TokenRevoked", TokenRevokedSchema)
@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRevoked(DomainEvent):
    """A token of `actor` authenticates no one from now on."""

    token_id: str
    actor: str

    @property
    def stream_id(self) -> str:
        return token_stream(self.token_id)

    def summary(self) -> str:
        return f"token {self.token_id} of {self.actor} revoked"
