"""What a command is: an imperative, immutable request, and the schema that reads it.

``ReportMilestoneProgress`` is a command. Its marshmallow schema is the boundary: JSON
goes in, the fields of a typed command come out, and the same schema describes the
command in ``opslog commands``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from marshmallow import RAISE, Schema

from catalogue import DomainEvent

E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """Base of every command. Its class name is its stable name in files and metadata."""

    command_type: ClassVar[str]

    def __init_subclass__(cls) -> None:
        cls.command_type = cls.__name__


class CommandSchema(Schema):
    """A command's data schema: refuses unknown keys, keeps the declared field order."""

    class Meta:
        unknown = RAISE
        ordered = True


def about(description: str) -> dict[str, Any]:
    """Field keyword arguments that carry a description into ``opslog commands``."""
    return {"metadata": {"description": description}}


def recorded(event_class: type[E], command: Command) -> E:
    """The event that records `command` when its fields are the event's: copied one for
    one, tuples as the lists the catalogue holds."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        values[field.name] = list(value) if isinstance(value, tuple) else value
    return event_class(**values)
