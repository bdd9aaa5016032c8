"""Payload schemas of milestones."""

from __future__ import annotations

from marshmallow import fields

from catalogue.fields import QuarterField, identifier, text, title
from catalogue.schemas.base import EventSchema
from catalogue.schemas.scales import STATUS_ID


class MilestoneScheduledSchema(EventSchema):
    milestone_id = identifier(required=True)
    title = title(required=True)
    topic_id = identifier(required=True)
    due_quarter = QuarterField(required=True)
    owner_unit = identifier(required=True)


class MilestoneProgressReportedSchema(EventSchema):
    milestone_id = identifier(required=True)
    quarter = QuarterField(required=True)
    status = fields.String(required=True, validate=STATUS_ID)
    narrative = text(required=True)
    as_of = fields.Date(required=True)


class MilestoneRescheduledSchema(EventSchema):
    milestone_id = identifier(required=True)
    from_quarter = QuarterField(required=True)
    to_quarter = QuarterField(required=True)
    reason = title(required=True)


class MilestoneWithdrawnSchema(EventSchema):
    milestone_id = identifier(required=True)
    reason = title(required=True)
