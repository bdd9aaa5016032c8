"""Payload schema of an erasure."""

from __future__ import annotations

from marshmallow import fields, validate

from catalogue.erasure import MAX_REASON
from catalogue.schemas.base import EventSchema


class ValueErasedSchema(EventSchema):
    target_position = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    target_type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    field = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))
    placeholder = fields.String(required=True, validate=validate.Length(min=1, max=2000))
