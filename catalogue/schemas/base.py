"""The base of every event's payload schema."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import RAISE, Schema, post_load

from catalogue.base import DomainEvent


class EventSchema(Schema):
    """A payload schema that builds its event class on load and refuses unknown keys."""

    event_class: ClassVar[type[DomainEvent]]

    class Meta:
        unknown = RAISE
        ordered = True

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> DomainEvent:
        return self.event_class(**data)
