"""Business Plan milestones: scheduled for a quarter, reported on, moved or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from marshmallow import fields

from catalogue.base import DomainEvent, EventSchema, event_type
from catalogue.fields import QuarterField, identifier, text, title
from catalogue.periods import Quarter, london_midnight
from catalogue.scales import STATUS_ID
from catalogue.streams import milestone_stream

STATUSES = ("delivered", "on_track", "some_delay")
STATUS_SYMBOLS = {"delivered": "✓", "on_track": "📅", "some_delay": "🔧"}
STATUS_LABELS = {"delivered": "delivered", "on_track": "on track", "some_delay": "some delay"}


class MilestoneScheduledSchema(EventSchema):
    milestone_id = identifier(required=True)
    title = title(required=True)
    topic_id = identifier(required=True)
    due_quarter = QuarterField(required=True)
    owner_unit = identifier(required=True)


@event_type("MilestoneScheduled", MilestoneScheduledSchema)
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


class MilestoneProgressReportedSchema(EventSchema):
    milestone_id = identifier(required=True)
    quarter = QuarterField(required=True)
    status = fields.String(required=True, validate=STATUS_ID)
    narrative = text(required=True)
    as_of = fields.Date(required=True)


@event_type("MilestoneProgressReported", MilestoneProgressReportedSchema)
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


class MilestoneRescheduledSchema(EventSchema):
    milestone_id = identifier(required=True)
    from_quarter = QuarterField(required=True)
    to_quarter = QuarterField(required=True)
    reason = title(required=True)


@event_type("MilestoneRescheduled", MilestoneRescheduledSchema)
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


class MilestoneWithdrawnSchema(EventSchema):
    milestone_id = identifier(required=True)
    reason = title(required=True)


@event_type("MilestoneWithdrawn", MilestoneWithdrawnSchema)
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
