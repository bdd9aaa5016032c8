"""Payload schemas of corrections and retractions."""

from __future__ import annotations

from marshmallow import fields, validate

from catalogue.fields import title
from catalogue.schemas.base import EventSchema


class EventCorrectedSchema(EventSchema):
    target_event_id = fields.UUID(required=True)
    target_stream_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    target_type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    changes = fields.Dict(keys=fields.String(), required=True,
                          validate=validate.Length(min=1, max=50))
    reason = title(required=True)


class EventRetractedSchema(EventSchema):
    target_event_id = fields.UUID(required=True)
    target_stream_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    target_type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reason = title(required=True)
