"""Corrections and retractions: history is never edited, it is answered.

A correction lives on the corrected event's stream and names it by event id; its
`changes` are new values for fields of the original payload. From the correction's
recorded time on, readers see the corrected values (and a note of the correction);
before it, the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.base import DomainEvent, event_type


@event_type("EventCorrected", "catalogue.schemas.corrections:EventCorrectedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class EventCorrected(DomainEvent):
    """New values for some fields of an earlier event, and why."""

    target_event_id: Any  # uuid.UUID; Any keeps marshmallow's UUID field honest for mypy
    target_stream_id: str
    target_type: str
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def stream_id(self) -> str:
        return self.target_stream_id

    def summary(self) -> str:
        changed = ", ".join(self.changes)
        return f"corrects {self.target_type} {self.target_event_id} ({changed}): {self.reason}"


@event_type("EventRetracted", "catalogue.schemas.corrections:EventRetractedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class EventRetracted(DomainEvent):
    """An earlier event should no longer count, and why."""

    target_event_id: Any
    target_stream_id: str
    target_type: str
    reason: str = ""

    @property
    def stream_id(self) -> str:
        return self.target_stream_id

    def summary(self) -> str:
        return f"retracts {self.target_type} {self.target_event_id}: {self.reason}"
