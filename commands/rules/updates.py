"""What any operational update must say truthfully, whether new or corrected."""

from __future__ import annotations

from catalogue import AssetAcquired, OperationalUpdate, TaskforceFormed, UnitWentLive
from commands.context import Context
from commands.errors import Refused
from commands.rules import references
from commands.rules.dates import not_in_future
from commands.rules.facts import distinct_names
from commands.state import State


def check_update(state: State, event: OperationalUpdate, context: Context,
                 prefix: str = "") -> None:
    """Its date has happened, its facts are named once, its kind's own facts fit."""
    not_in_future(event.effective_date, context, f"{prefix}effective_date")
    distinct_names(event.facts, f"{prefix}facts")
    if isinstance(event, TaskforceFormed):
        taskforce = references.unit(state, event.taskforce_unit, f"{prefix}taskforce_unit")
        if taskforce.kind != "taskforce":
            raise Refused(f"{prefix}taskforce_unit",
                          f"{taskforce.unit_id!r} is a {taskforce.kind}, not a taskforce")
    elif isinstance(event, UnitWentLive):
        _check_went_live(state, event, prefix)
    elif isinstance(event, AssetAcquired):
        references.unit(state, event.acquirer, f"{prefix}acquirer")
        if event.programme_value is not None and event.programme_value < event.price:
            raise Refused(f"{prefix}programme_value",
                          f"£{event.programme_value} is less than the price £{event.price}")


def _check_went_live(state: State, event: UnitWentLive, prefix: str) -> None:
    """The unit is a BCU and the boroughs are its own."""
    bcu = references.unit(state, event.live_unit, f"{prefix}live_unit")
    if bcu.kind != "bcu":
        raise Refused(f"{prefix}live_unit", f"{bcu.unit_id!r} is a {bcu.kind}, not a BCU")
    registered = {borough.lower() for borough in bcu.boroughs}
    for index, borough in enumerate(event.boroughs):
        if borough.lower() not in registered:
            raise Refused(
                f"{prefix}boroughs.{index}",
                f"{borough!r} is not a borough of {bcu.unit_id} ({', '.join(bcu.boroughs)})",
            )
