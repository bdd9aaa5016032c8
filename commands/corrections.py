"""Corrections and retractions: answer a recorded event, never edit it.

What may be corrected or retracted is declared by the command that records the event (its
registry entry's `correctable`, `retractable` and `check`): the service resolves the
target with that entry. Ids, the unit an event belongs to and its place in the plan are
never corrected (that would move it, not mend it): retract it and record it again.
Structure, roles and indicator definitions are never retracted, because other streams
depend on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from catalogue import CATALOGUE, DomainEvent, EventCorrected, EventRetracted, encode, load
from catalogue.fields import identifier, title
from commands.command import Command, CommandSchema, about
from commands.context import Context, Target
from commands.errors import Refused, problems_from
from commands.permissions import AS_ANSWERED
from commands.spec import CommandSpec
from commands.targets import REFERENCES, Reference
from commands.write_model.state import State

GROUP = "Corrections"


def live_target(context: Context) -> Target:
    """The event a correction or retraction answers; a retracted one takes neither."""
    target = context.target
    if target is None:  # the service resolves it before deciding
        raise Refused("event_id", "no such event is recorded")
    if target.retracted:
        raise Refused(target.named_by, f"event {target.event_id} was retracted")
    return target


# -- naming the target ------------------------------------------------------------------


class AnswerSchema(CommandSchema):
    """How a correction or retraction names the event it answers: exactly one of these."""

    event_id = fields.UUID(load_default=None, **about("the recorded event, by its id"))
    command_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                               **about("or: the command that recorded it, by its id"))
    update_id = identifier(load_default=None, **about("or: the update it records"))
    milestone_id = identifier(load_default=None,
                              **about("or: the milestone it is about (with event_type)"))
    event_type = fields.String(
        load_default=None,
        validate=validate.OneOf(sorted(set(CATALOGUE) - {"EventCorrected", "EventRetracted"})),
        **about("which of that command's or subject's events, e.g. MilestoneProgressReported"))

    @validates_schema
    def _one_reference(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [name for name in REFERENCES if data.get(name) is not None]
        if not given:
            raise ValidationError(f"name the event: give one of {', '.join(REFERENCES)}",
                                  "event_id")
        if len(given) > 1:
            raise ValidationError(f"give only one of {', '.join(given)}", given[1])
        if data.get("event_type") is not None and given == ["event_id"]:
            raise ValidationError("an event id names one event already", "event_type")

    @post_dump
    def _given_only(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Only the reference given: a command recorded before the other ways existed keeps
        its fingerprint, so its retry is still recognised."""
        unused = (*REFERENCES, "event_type")
        return {name: value for name, value in data.items()
                if name not in unused or value is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer(Command):
    """What a correction and a retraction share: how they name their target."""

    event_id: uuid.UUID | None = None
    command_id: str | None = None
    update_id: str | None = None
    milestone_id: str | None = None
    event_type: str | None = None

    @property
    def reference(self) -> Reference:
        """The reference the schema let through (exactly one is given)."""
        for name in REFERENCES:
            value = getattr(self, name)
            if value is not None:
                return Reference(name, value, self.event_type)
        raise Refused("event_id", f"name the event: give one of {', '.join(REFERENCES)}")


# -- CorrectEvent -----------------------------------------------------------------------


class CorrectEventSchema(AnswerSchema):
    changes = fields.Dict(keys=fields.String(), required=True,
                          validate=validate.Length(min=1, max=50),
                          **about('new values for some of its fields: {"status": "on_track"}'))
    reason = title(required=True, **about("why it is corrected"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectEvent(Answer):
    """Correct some fields of a recorded event, with the reason."""

    changes: Mapping[str, Any]
    reason: str


def correct_event(state: State, command: CorrectEvent, context: Context) -> list[DomainEvent]:
    target = live_target(context)
    changes = corrected(state, target, command.changes, context)
    return [EventCorrected(target_event_id=target.event_id, target_stream_id=target.stream_id,
                           target_type=target.event.type_name, changes=changes,
                           reason=command.reason)]


def corrected(state: State, target: Target, changes: Mapping[str, Any],
              context: Context) -> dict[str, Any]:
    """The changes in their stored form, once the corrected event passes every rule."""
    kind = type(target.event)
    recorder = target.recorded_by
    allowed = recorder.correctable if recorder is not None else ()
    if not allowed:
        raise Refused("event_id", f"a {kind.type_name} event cannot be corrected")
    for name in changes:
        if name not in allowed:
            raise Refused(f"changes.{name}", f"cannot be corrected on a {kind.type_name} "
                          f"(correctable: {', '.join(sorted(allowed))})")
    try:
        event = load(kind, {**target.payload, **changes})
    except ValidationError as error:
        raise Refused.of(problems_from(error.messages, "changes")) from None
    if recorder is not None and recorder.check is not None:
        recorder.check(state, event, context, "changes.")
    stored = encode(event)
    delta = {name: stored[name] for name in changes if stored[name] != target.payload.get(name)}
    if not delta:
        raise Refused("changes", "change nothing: the event already reads so")
    return delta


# -- RetractEvent -----------------------------------------------------------------------


class RetractEventSchema(AnswerSchema):
    reason = title(required=True, **about("why it no longer counts"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RetractEvent(Answer):
    """Retract a recorded event so that it no longer counts, with the reason."""

    reason: str


def retract_event(state: State, command: RetractEvent, context: Context) -> list[DomainEvent]:
    target = live_target(context)
    if target.recorded_by is None or not target.recorded_by.retractable:
        raise Refused("event_id", f"a {target.event.type_name} event cannot be retracted")
    return [EventRetracted(target_event_id=target.event_id, target_stream_id=target.stream_id,
                           target_type=target.event.type_name, reason=command.reason)]


SPECS = (
    CommandSpec(CorrectEvent, CorrectEventSchema(), correct_event, AS_ANSWERED, GROUP),
    CommandSpec(RetractEvent, RetractEventSchema(), retract_event, AS_ANSWERED, GROUP),
)
