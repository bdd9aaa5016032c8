"""Payload schemas of status scales, and the checks a scale's statuses must pass."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from catalogue.fields import QuarterField, identifier, title
from catalogue.scales import CATEGORIES, SYMBOLS, StatusDef
from catalogue.schemas.base import EventSchema

STATUS_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                            error="must be a lowercase status id (letters, digits, _)")


COLOUR = validate.Regexp(r"^#[0-9a-f]{6}$", error="must be a colour like #1b7837")


class _StatusDefSchema(Schema):
    class Meta:
        ordered = True

    status = fields.String(required=True, validate=STATUS_ID)
    label = title(required=True)
    symbol = fields.String(required=True, validate=validate.OneOf(SYMBOLS))
    colour = fields.String(required=True, validate=COLOUR)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))

    @post_load
    def _build(self, data: dict[str, str], **kwargs: object) -> StatusDef:
        return StatusDef(**data)


def status_list(**kwargs: Any) -> fields.List[Any]:
    """A scale's statuses: 1 to 12 (each id once: `check_distinct`)."""
    return fields.List(fields.Nested(_StatusDefSchema), validate=validate.Length(min=1, max=12),
                       **kwargs)


def check_distinct(statuses: Iterable[StatusDef], field: str = "statuses") -> None:
    seen: set[str] = set()
    for status in statuses:
        if status.status in seen:
            raise ValidationError(f"status {status.status!r} is listed twice", field)
        seen.add(status.status)


class StatusScaleDefinedSchema(EventSchema):
    scale_id = identifier(required=True)
    name = title(required=True)
    statuses = status_list(required=True)

    @validates_schema
    def _distinct(self, data: dict[str, object], **kwargs: object) -> None:
        check_distinct(data.get("statuses", ()))  # type: ignore[arg-type]


class StatusScaleAdoptedSchema(EventSchema):
    scale_id = identifier(required=True)
    from_quarter = QuarterField(required=True)
