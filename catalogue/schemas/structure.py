"""Payload schemas of the plan's structure and roles."""

from __future__ import annotations

from marshmallow import fields, validate

from catalogue.fields import identifier, title
from catalogue.schemas.base import EventSchema
from catalogue.structure import ROLES, UNIT_KINDS

ACTOR = validate.Regexp(
    r"^[a-z0-9][a-z0-9._@-]{0,79}$", error="must be a lowercase actor id (letters, digits, . _ @ -)"
)


class ThemeDefinedSchema(EventSchema):
    number = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=99))
    title = title(required=True)


class TopicDefinedSchema(EventSchema):
    topic_id = identifier(required=True)
    theme = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=99))
    title = title(required=True)
    lead_in = fields.Boolean(load_default=False)


class UnitRegisteredSchema(EventSchema):
    unit_id = identifier(required=True)
    name = title(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    boroughs = fields.List(title(), load_default=list, validate=validate.Length(max=40))
    parent_unit = identifier(load_default=None, allow_none=True)


class RoleGrantedSchema(EventSchema):
    actor = fields.String(required=True, validate=ACTOR)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_id = identifier(load_default=None, allow_none=True)


class RoleRevokedSchema(EventSchema):
    actor = fields.String(required=True, validate=ACTOR)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_id = identifier(load_default=None, allow_none=True)
