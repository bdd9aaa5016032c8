"""One registry entry per command: everything about it, declared in one place.

Each subject area (`structure`, `milestones`, `updates`, `indicators`, `overview`,
`corrections`) declares a `CommandSpec` per command next to its schema, rules and decide
function; `commands.registry` collects them, and whatever goes over every command (the
service's dispatch, permissions, ``opslog commands``) reads the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from catalogue import DomainEvent
from commands.command import Command, CommandSchema
from commands.context import Context
from commands.permissions import Policy
from commands.write_model.state import State

Decide = Callable[[State, Any, Context], list[DomainEvent]]
"""`decide(state, command, context) -> events`: pure, or raises `Refused` naming the field."""

Check = Callable[[State, Any, Context, str], None]
"""What a recorded event must satisfy, new or corrected; the `str` prefixes the field
(``changes.`` when a correction is checked)."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its class and schema, how it is decided, who may submit it, and what
    it records (the event a correction or retraction may later answer)."""

    command_class: type[Command]
    schema: CommandSchema
    decide: Decide
    permission: Policy
    group: str
    """The heading ``opslog commands`` lists it under."""
    records: type[DomainEvent] | None = None
    correctable: tuple[str, ...] = ()
    """The recorded event's fields a correction may change; none: it cannot be corrected."""
    retractable: bool = False
    check: Check | None = None
    """The rules its event must still satisfy once corrected."""

    @property
    def name(self) -> str:
        return self.command_class.command_type

    @property
    def summary(self) -> str:
        doc = self.command_class.__doc__ or self.name
        return doc.strip().splitlines()[0]

    def load(self, data: Mapping[str, Any]) -> Command:
        """The typed command (lists become tuples), or marshmallow's `ValidationError`."""
        values = self.schema.load(data)
        return self.command_class(**{
            name: tuple(value) if isinstance(value, list) else value
            for name, value in values.items()
        })

