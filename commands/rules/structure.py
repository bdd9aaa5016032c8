"""Units: a BCU lists its boroughs, other units list none."""

from __future__ import annotations

from catalogue import UnitRegistered
from commands.context import Context
from commands.errors import Refused
from commands.rules import references
from commands.state import State


def check_unit(state: State, event: UnitRegistered, context: Context, prefix: str = "") -> None:
    if event.kind == "bcu" and not event.boroughs:
        raise Refused(f"{prefix}boroughs", "a BCU lists its boroughs")
    if event.kind != "bcu" and event.boroughs:
        raise Refused(f"{prefix}boroughs", f"only a BCU lists boroughs, not a {event.kind}")
    if len({borough.lower() for borough in event.boroughs}) != len(event.boroughs):
        raise Refused(f"{prefix}boroughs", "a borough is listed twice")
    if event.parent_unit is not None:
        references.unit(state, event.parent_unit, f"{prefix}parent_unit")
        if event.parent_unit == event.unit_id:
            raise Refused(f"{prefix}parent_unit", "a unit cannot be its own parent")
