"""Who may authenticate: bearer tokens issued to actors and revoked, as events.

The events say which token, for which actor, until when; who issued or revoked it is the
event's metadata actor. The secret and its hash are never in the log: the database's
``tokens`` table (the write side's) keeps the hash, and a log export carries neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from catalogue.base import DomainEvent, event_type


def token_stream(token_id: str) -> str:
    return f"token-{token_id}"


@event_type("TokenIssued", "catalogue.schemas.identity:TokenIssuedSchema")
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


@event_type("TokenRevoked", "catalogue.schemas.identity:TokenRevokedSchema")
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
