"""Business Plan milestones: scheduled for a quarter, reported on, moved or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from catalogue.base import DomainEvent, event_type
from catalogue.periods import Quarter, london_midnight
from catalogue.streams import milestone_stream

STATUSES = ("delivered", "on_track", "some_delay")
STATUS_SYMBOLS = {"delivered": "✓", "on_track": "📅", "some_delay": "🔧"}
STATUS_LABELS = {"delivered": "delivered", "on_track": "on track", "some_delay": "some delay"}


@event_type("MilestoneScheduled", "catalogue.schemas.milestones:MilestoneScheduledSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneScheduled(DomainEvent):
    """A commitment due in a quarter, owned by a unit, under a topic."""

    milestone_id: str
    title: str
    topic_id: str
    due_quarter: Quarter
    owner_unit: str

    @property
    def stream_id(self) -> str:
        return milestone_stream(self.milestone_id)

    def summary(self) -> str:
        return f"{self.milestone_id} due {self.due_quarter} ({self.owner_unit}): {self.title}"


@event_type("MilestoneProgressReported",
            "catalogue.schemas.milestones:MilestoneProgressReportedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneProgressReported(DomainEvent):
    """Progress for a quarter: a status and the narrative behind it, as of a date."""

    milestone_id: str
    quarter: Quarter
    status: str
    narrative: str
    as_of: date

    @property
    def stream_id(self) -> str:
        return milestone_stream(self.milestone_id)

    @property
    def occurred_at(self) -> datetime:
        return london_midnight(self.as_of)

    def summary(self) -> str:
        status = STATUS_LABELS.get(self.status, self.status)
        return f"{self.milestone_id} {status} in {self.quarter} as of {self.as_of}"


@event_type("MilestoneRescheduled", "catalogue.schemas.milestones:MilestoneRescheduledSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneRescheduled(DomainEvent):
    """The milestone is now due in a later quarter."""

    milestone_id: str
    from_quarter: Quarter
    to_quarter: Quarter
    reason: str

    @property
    def stream_id(self) -> str:
        return milestone_stream(self.milestone_id)

    def summary(self) -> str:
        return f"{self.milestone_id} moved {self.from_quarter} → {self.to_quarter}: {self.reason}"


@event_type("MilestoneWithdrawn", "catalogue.schemas.milestones:MilestoneWithdrawnSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneWithdrawn(DomainEvent):
    """The milestone is no longer a commitment."""

    milestone_id: str
    reason: str

    @property
    def stream_id(self) -> str:
        return milestone_stream(self.milestone_id)

    def summary(self) -> str:
        return f"{self.milestone_id} withdrawn: {self.reason}"
