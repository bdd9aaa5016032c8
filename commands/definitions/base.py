"""What a command is, and the registry that names every kind of command once.

A command is an imperative, immutable request ("ReportMilestoneProgress"). Its
marshmallow schema is the boundary: JSON goes in, a typed command comes out, and the
same schema describes the command in ``opslog commands``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from marshmallow import RAISE, Schema, post_load


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """Base of every command: a stable name that files and metadata use."""

    command_type: ClassVar[str]


class CommandSchema(Schema):
    """A command's data schema: refuses unknown keys and builds the command on load."""

    command_class: ClassVar[type[Command]]

    class Meta:
        unknown = RAISE
        ordered = True

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Command:
        for name, value in data.items():
            if isinstance(value, list):
                data[name] = tuple(value)
        return self.command_class(**data)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One registered command: its name, class and schema, and what it is for."""

    name: str
    command_class: type[Command]
    schema: CommandSchema
    group: str

    @property
    def summary(self) -> str:
        doc = self.command_class.__doc__ or self.name
        return doc.strip().splitlines()[0]


COMMANDS: dict[str, CommandSpec] = {}
C = TypeVar("C", bound=Command)


def command(name: str, schema: type[CommandSchema], group: str) -> Callable[[type[C]], type[C]]:
    """Register a command class under `name`, validated by `schema`, listed under `group`."""

    def register(cls: type[C]) -> type[C]:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} registered twice")
        cls.command_type = name
        schema.command_class = cls
        COMMANDS[name] = CommandSpec(name, cls, schema(), group)
        return cls

    return register


def spec_of(command_class: type[Command]) -> CommandSpec:
    return COMMANDS[command_class.command_type]


def about(description: str) -> dict[str, Any]:
    """Field keyword arguments that carry a description into ``opslog commands``."""
    return {"metadata": {"description": description}}
