"""Every command, one entry each: the registry the service, permissions and
``opslog commands`` read.

The entries are declared in the subject-area modules, next to each command's schema,
rules and decide function; this module only collects them, in the order ``opslog
commands`` lists them, and looks them up by name (a command file), by class (a typed
command) and by the event a command records (what a correction answers).
"""

from __future__ import annotations

from collections.abc import Iterable

from catalogue import DomainEvent
from commands import (
    corrections,
    indicators,
    milestones,
    overview,
    scales,
    structure,
    updates,
)
from commands.command import Command
from commands.spec import CommandSpec


def _by_name(specs: Iterable[CommandSpec]) -> dict[str, CommandSpec]:
    named: dict[str, CommandSpec] = {}
    for spec in specs:
        if spec.name in named:
            raise ValueError(f"command {spec.name!r} registered twice")
        named[spec.name] = spec
    return named


COMMANDS: dict[str, CommandSpec] = _by_name(
    spec
    for area in (structure, scales, milestones, updates, indicators, overview, corrections)
    for spec in area.SPECS
)
"""Every command by its name, area by area."""

_BY_CLASS: dict[type[Command], CommandSpec] = {
    spec.command_class: spec for spec in COMMANDS.values()
}
_BY_EVENT: dict[type[DomainEvent], CommandSpec] = {
    spec.records: spec for spec in COMMANDS.values() if spec.records is not None
}


def spec_of(command: Command) -> CommandSpec:
    """The entry of a typed command."""
    return _BY_CLASS[type(command)]


def recorder_of(event_class: type[DomainEvent]) -> CommandSpec | None:
    """The entry of the command that records `event_class`: who may answer such an event,
    and how; None for an event no command records (a correction, a retraction)."""
    return _BY_EVENT.get(event_class)
