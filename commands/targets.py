"""Naming the event a correction or retraction answers.

A correction may name its target by the event's id, by the id of the command that recorded
it, or by what it is about (``update_id``, ``milestone_id``), with ``event_type`` to say
which of that subject's events. Each is resolved here, against the write model, to exactly
one recorded event: a reference that matches none, or more than one, is refused naming the
field it came in. Corrections and retractions themselves are never matched (they are not
answered), and an event already retracted is matched only when nothing else is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from catalogue import EventCorrected, EventRetracted
from catalogue.streams import milestone_stream, update_stream
from commands.errors import Refused
from commands.write_model.state import EventRef, State

REFERENCES = ("event_id", "command_id", "update_id", "milestone_id")
"""The ways of naming a target; a correction gives exactly one."""

_STREAMS: dict[str, Callable[[str], str]] = {
    "update_id": update_stream,
    "milestone_id": milestone_stream,
}


@dataclass(frozen=True, slots=True)
class Reference:
    """How a command names its target: one of `REFERENCES`, and an optional event type."""

    field: str
    value: uuid.UUID | str
    event_type: str | None = None


def resolve(state: State, reference: Reference) -> uuid.UUID:
    """The one recorded event `reference` names, or `Refused` naming its field."""
    if isinstance(reference.value, uuid.UUID):
        return reference.value
    if reference.field == "command_id":
        candidates, what = _of_command(state, reference.value)
    else:
        stream_id = _STREAMS[reference.field](reference.value)
        candidates = [ref for ref in state.events.values() if ref.stream_id == stream_id]
        what = f"{reference.field.removesuffix('_id')} {reference.value!r}"
    answerable = [ref for ref in candidates
                  if ref.event_class not in (EventCorrected, EventRetracted)]
    if reference.event_type is not None:
        answerable = [ref for ref in answerable
                      if ref.event_class.type_name == reference.event_type]
        what = f"{what} as a {reference.event_type}"
    live = [ref for ref in answerable if ref.event_id not in state.retracted]
    found = live or answerable
    if not found:
        raise Refused(reference.field, f"no event of {what} is recorded that can be answered")
    if len(found) > 1:
        raise Refused(reference.field, (
            f"{what} matches {len(found)} events ({_listed(found)}): name one with "
            "event_type or event_id"))
    return found[0].event_id


def _of_command(state: State, command_id: str) -> tuple[list[EventRef], str]:
    commit = state.commits.get(command_id)
    if commit is None:
        raise Refused("command_id", f"no command {command_id!r} is recorded")
    span = range(commit.first_position, commit.last_position + 1)
    events = [ref for ref in state.events.values() if ref.position in span]
    return events, f"command {command_id!r} ({commit.command_type})"


def _listed(refs: list[EventRef]) -> str:
    """Each candidate with what it takes to choose it: its type and its event id."""
    return "; ".join(f"{ref.event_class.type_name} at position {ref.position}, event_id "
                     f"{ref.event_id}" for ref in sorted(refs, key=lambda ref: ref.position))
