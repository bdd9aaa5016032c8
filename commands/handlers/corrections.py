"""Decide corrections and retractions: new events that point at the original."""

from __future__ import annotations

from catalogue import DomainEvent, EventCorrected, EventRetracted
from commands.context import Context
from commands.definitions import CorrectEvent, RetractEvent
from commands.rules.corrections import corrected, live_target, retractable
from commands.state import State


def correct_event(state: State, command: CorrectEvent, context: Context) -> list[DomainEvent]:
    target = live_target(context)
    changes = corrected(state, target, command.changes, context)
    return [EventCorrected(target_event_id=target.event_id, target_stream_id=target.stream_id,
                           target_type=target.event.type_name, changes=changes,
                           reason=command.reason)]


def retract_event(state: State, command: RetractEvent, context: Context) -> list[DomainEvent]:
    target = live_target(context)
    retractable(target)
    return [EventRetracted(target_event_id=target.event_id, target_stream_id=target.stream_id,
                           target_type=target.event.type_name, reason=command.reason)]
