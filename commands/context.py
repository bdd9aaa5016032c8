"""What a decision may know besides the write model: the time, the actor, a target."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from catalogue import DomainEvent
from catalogue.periods import LONDON

if TYPE_CHECKING:  # an entry's decide function takes a Context: import the type only
    from commands.spec import CommandSpec


@dataclass(frozen=True, slots=True)
class Target:
    """A recorded event as it now reads: its original payload with every correction applied.

    `recorded_by` is the registry entry of the command that records events of its type:
    who may answer it, and which of its fields a correction may change.
    """

    event_id: uuid.UUID
    stream_id: str
    event: DomainEvent
    payload: dict[str, Any]
    retracted: bool
    recorded_by: CommandSpec | None = None
    named_by: str = "event_id"
    """The command's field that named it (``event_id``, ``command_id``, ``update_id`` …)."""


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
