"""Decide operational updates: one rule set for all five kinds."""

from __future__ import annotations

import dataclasses
from typing import Any

from catalogue import (
    AssetAcquired,
    DomainEvent,
    OperationalUpdate,
    OperationalUpdateRecorded,
    RolloutCompleted,
    TaskforceFormed,
    UnitWentLive,
)
from catalogue.streams import update_stream
from commands.context import Context
from commands.definitions import (
    RecordAssetAcquired,
    RecordOperationalUpdate,
    RecordRolloutCompleted,
    RecordTaskforceFormed,
    RecordUnitWentLive,
    UpdateCommand,
)
from commands.errors import Refused
from commands.rules import references
from commands.rules.updates import check_update
from commands.state import State

EVENT_OF: dict[type[UpdateCommand], type[OperationalUpdate]] = {
    RecordTaskforceFormed: TaskforceFormed,
    RecordUnitWentLive: UnitWentLive,
    RecordAssetAcquired: AssetAcquired,
    RecordRolloutCompleted: RolloutCompleted,
    RecordOperationalUpdate: OperationalUpdateRecorded,
}


def record_update(state: State, command: UpdateCommand, context: Context) -> list[DomainEvent]:
    """A new update id, under a known topic, for a known unit, about a live milestone."""
    references.new_stream(state, update_stream(command.update_id), "update_id",
                          f"update {command.update_id!r}")
    references.topic(state, command.topic_id)
    references.unit(state, command.unit_id)
    if command.milestone_id is not None:
        milestone = references.milestone(state, command.milestone_id)
        if milestone.withdrawn:
            raise Refused("milestone_id", f"milestone {command.milestone_id!r} was withdrawn")
    event = _event(command)
    check_update(state, event, context)
    if isinstance(event, UnitWentLive) and event.live_unit in state.live_units:
        raise Refused("live_unit", f"{event.live_unit!r} has already gone live")
    return [event]


def _event(command: UpdateCommand) -> OperationalUpdate:
    """The command's fields are the event's: copy them, lists for tuples."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        values[field.name] = list(value) if isinstance(value, tuple) else value
    return EVENT_OF[type(command)](**values)
