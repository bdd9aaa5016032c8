"""Corrections and retractions: answer a recorded event, never edit it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate

from catalogue.fields import title
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Corrections"


class CorrectEventSchema(CommandSchema):
    event_id = fields.UUID(required=True, **about("the recorded event to correct"))
    changes = fields.Dict(keys=fields.String(), required=True,
                          validate=validate.Length(min=1, max=50),
                          **about('new values for some of its fields: {"status": "on_track"}'))
    reason = title(required=True, **about("why it is corrected"))


@command("CorrectEvent", CorrectEventSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectEvent(Command):
    """Correct some fields of a recorded event, with the reason."""

    event_id: uuid.UUID
    changes: Mapping[str, Any]
    reason: str


class RetractEventSchema(CommandSchema):
    event_id = fields.UUID(required=True, **about("the recorded event to retract"))
    reason = title(required=True, **about("why it no longer counts"))


@command("RetractEvent", RetractEventSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RetractEvent(Command):
    """Retract a recorded event so that it no longer counts, with the reason."""

    event_id: uuid.UUID
    reason: str
