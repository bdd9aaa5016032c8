"""What a decision may know besides the write model: the time, the actor, a target."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from catalogue import DomainEvent
from catalogue.periods import LONDON


@dataclass(frozen=True, slots=True)
class Target:
    """A recorded event as it now reads: its original payload with every correction applied."""

    event_id: uuid.UUID
    stream_id: str
    event: DomainEvent
    payload: dict[str, Any]
    retracted: bool


@dataclass(frozen=True, slots=True)
class Context:
    """The clock's reading for this decision, who asks, and the event a correction targets."""

    now: datetime
    actor: str
    target: Target | None = None

    @property
    def today(self) -> date:
        """Today on the Europe/London calendar, which quarters and dates are written in."""
        return self.now.astimezone(LONDON).date()
