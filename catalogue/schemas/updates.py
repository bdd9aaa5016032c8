"""Payload schemas of operational updates."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from catalogue.fields import FactSchema, Money, PreciseDateField, count, identifier, text, title
from catalogue.schemas.base import EventSchema
from catalogue.updates import UPDATE_KINDS, Fact


class _FactSchema(FactSchema):
    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Fact:
        return Fact(**data)


class UpdateSchema(EventSchema):
    """Fields every operational update has."""

    update_id = identifier(required=True)
    topic_id = identifier(required=True)
    unit_id = identifier(required=True)
    title = title(required=True)
    effective_date = PreciseDateField(required=True)
    narrative = text(load_default="")
    milestone_id = identifier(load_default=None, allow_none=True)
    facts = fields.List(fields.Nested(_FactSchema), load_default=list,
                        validate=validate.Length(max=100))


class TaskforceFormedSchema(UpdateSchema):
    taskforce_unit = identifier(required=True)
    officers = count(required=True)
    teams = count(required=True)
    locations = fields.List(title(), load_default=list, validate=validate.Length(max=50))
    funding_source = title(required=True)


class TaskforceChangedSchema(UpdateSchema):
    taskforce_unit = identifier(required=True)
    officers = count(load_default=None, allow_none=True)
    teams = count(load_default=None, allow_none=True)
    locations = fields.List(title(), load_default=None, allow_none=True,
                            validate=validate.Length(max=50))
    funding_source = title(load_default=None, allow_none=True)


class UnitWentLiveSchema(UpdateSchema):
    live_unit = identifier(required=True)
    boroughs = fields.List(title(), required=True, validate=validate.Length(min=1, max=40))


class AssetAcquiredSchema(UpdateSchema):
    asset = title(required=True)
    acquirer = identifier(required=True)
    price = Money(required=True)
    programme = title(load_default=None, allow_none=True)
    programme_value = Money(load_default=None, allow_none=True)


class RolloutCompletedSchema(UpdateSchema):
    system = title(required=True)
    count_installed = count(required=True)


class UpdateRecordedSchema(UpdateSchema):
    kind = fields.String(required=True, validate=validate.OneOf(UPDATE_KINDS))
