"""What can be corrected or retracted, and what a corrected event must still satisfy.

Ids, the unit an event belongs to and its place in the plan are never corrected (that
would move it, not mend it): retract it and record it again instead. Structure, roles
and indicator definitions are never retracted, because other streams depend on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import ValidationError

from catalogue import (
    AssetAcquired,
    DomainEvent,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdateRecorded,
    QuarterOverviewWritten,
    RolloutCompleted,
    TaskforceFormed,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
    encode,
    load,
)
from commands.context import Context, Target
from commands.errors import Refused, problems_from
from commands.rules.indicators import check_value
from commands.rules.milestones import check_progress, check_schedule
from commands.rules.overview import check_overview
from commands.rules.structure import check_unit
from commands.rules.updates import check_update
from commands.state import State

UPDATE_FIELDS = frozenset({"title", "effective_date", "narrative", "facts"})

CORRECTABLE: dict[type[DomainEvent], frozenset[str]] = {
    ThemeDefined: frozenset({"title"}),
    TopicDefined: frozenset({"title"}),
    UnitRegistered: frozenset({"name", "boroughs"}),
    MilestoneScheduled: frozenset({"title", "owner_unit"}),
    MilestoneProgressReported: frozenset({"status", "narrative", "as_of"}),
    MilestoneRescheduled: frozenset({"reason"}),
    MilestoneWithdrawn: frozenset({"reason"}),
    TaskforceFormed: UPDATE_FIELDS | {"officers", "teams", "locations", "funding_source"},
    UnitWentLive: UPDATE_FIELDS | {"boroughs"},
    AssetAcquired: UPDATE_FIELDS | {"asset", "price", "programme", "programme_value"},
    RolloutCompleted: UPDATE_FIELDS | {"system", "count_installed"},
    OperationalUpdateRecorded: UPDATE_FIELDS | {"kind"},
    IndicatorDefined: frozenset({"name", "measure", "better", "change_decimals"}),
    IndicatorValueRecorded: frozenset({"value", "source", "released_on"}),
    QuarterOverviewWritten: frozenset({"introduction", "paragraphs"}),
}

RETRACTABLE: frozenset[type[DomainEvent]] = frozenset({
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneWithdrawn,
    TaskforceFormed,
    UnitWentLive,
    AssetAcquired,
    RolloutCompleted,
    OperationalUpdateRecorded,
    IndicatorValueRecorded,
    QuarterOverviewWritten,
})

Check = Callable[[State, Any, Context, str], None]

CONTENT_CHECKS: dict[type[DomainEvent], Check] = {
    UnitRegistered: check_unit,
    MilestoneScheduled: check_schedule,
    MilestoneProgressReported: check_progress,
    TaskforceFormed: check_update,
    UnitWentLive: check_update,
    AssetAcquired: check_update,
    RolloutCompleted: check_update,
    OperationalUpdateRecorded: check_update,
    IndicatorValueRecorded: check_value,
    QuarterOverviewWritten: check_overview,
}


def live_target(context: Context) -> Target:
    """The event a correction or retraction answers; a retracted one takes neither."""
    target = context.target
    if target is None:  # the service resolves it before deciding
        raise Refused("event_id", "no such event is recorded")
    if target.retracted:
        raise Refused("event_id", f"event {target.event_id} was retracted")
    return target


def corrected(state: State, target: Target, changes: Mapping[str, Any],
              context: Context) -> dict[str, Any]:
    """The changes in their stored form, once the corrected event passes every rule."""
    kind = type(target.event)
    allowed = CORRECTABLE.get(kind)
    if allowed is None:
        raise Refused("event_id", f"a {kind.type_name} event cannot be corrected")
    for name in changes:
        if name not in allowed:
            raise Refused(f"changes.{name}", f"cannot be corrected on a {kind.type_name} "
                          f"(correctable: {', '.join(sorted(allowed))})")
    try:
        event = load(kind, {**target.payload, **changes})
    except ValidationError as error:
        raise Refused.of(problems_from(error.messages, "changes")) from None
    check = CONTENT_CHECKS.get(kind)
    if check is not None:
        check(state, event, context, "changes.")
    stored = encode(event)
    delta = {name: stored[name] for name in changes if stored[name] != target.payload.get(name)}
    if not delta:
        raise Refused("changes", "change nothing: the event already reads so")
    return delta


def retractable(target: Target) -> None:
    kind = type(target.event)
    if kind not in RETRACTABLE:
        raise Refused("event_id", f"a {kind.type_name} event cannot be retracted")
