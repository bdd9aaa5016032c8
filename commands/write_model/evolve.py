"""`evolve(state, logged)`: fold one recorded event into the write model.

The fold updates the model in place and returns it: the model is private to one command
service and rebuilt from the log whenever a service starts, and copying it for every
event would make a long log quadratic to load. `decide` functions only read it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from catalogue import (
    AssetAcquired,
    DomainEvent,
    EventCorrected,
    EventRetracted,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdate,
    OperationalUpdateRecorded,
    Quarter,
    QuarterOverviewWritten,
    RoleGranted,
    RoleRevoked,
    RolloutCompleted,
    StatusScaleAdopted,
    StatusScaleDefined,
    TaskforceChanged,
    TaskforceFormed,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
    UnknownEventType,
    decode,
    status_def,
)
from catalogue.precision import parse_precise
from commands.write_model.state import (
    ONE_OFFS,
    CommitRef,
    EventRef,
    FormationState,
    IndicatorState,
    MilestoneState,
    OneOffState,
    ProgressState,
    Role,
    State,
    TopicState,
    UnitState,
    ValueState,
    named_key,
    one_off_key,
)
from eventstore import RecordedEvent


@dataclass(frozen=True, slots=True)
class Logged:
    """A typed event with the envelope facts the write model keeps."""

    event: DomainEvent
    event_id: uuid.UUID
    position: int
    stream_id: str
    version: int
    metadata: Mapping[str, Any]


def fold_recorded(state: State, recorded: RecordedEvent) -> State:
    """Fold a stored event; types this code does not know only move the position on."""
    try:
        event = decode(recorded.type, recorded.schema_version, recorded.data)
    except UnknownEventType:
        state.position = recorded.position
        state.versions[recorded.stream_id] = recorded.version
        return state
    return evolve(state, Logged(event, recorded.event_id, recorded.position,
                                recorded.stream_id, recorded.version, recorded.metadata))


def evolve(state: State, logged: Logged) -> State:
    """Apply one event to the model (in place) and return it."""
    state.position = logged.position
    state.versions[logged.stream_id] = logged.version
    _remember_commit(state, logged)
    apply = _EVOLVERS.get(type(logged.event))
    if apply is not None:
        key = apply(state, logged.event, logged)
        state.events[logged.event_id] = EventRef(
            logged.event_id, logged.stream_id, type(logged.event), logged.position, key
        )
    return state


def _remember_commit(state: State, logged: Logged) -> None:
    command_id = logged.metadata.get("command_id")
    if not command_id:
        return
    known = state.commits.get(command_id)
    if known is None:
        state.commits[command_id] = CommitRef(
            command_id=command_id,
            command_type=str(logged.metadata.get("command_type", "")),
            command_hash=str(logged.metadata.get("command_hash", "")),
            first_position=logged.position,
            last_position=logged.position,
            event_types=(logged.event.type_name,),
        )
    elif known.last_position == logged.position - 1:
        state.commits[command_id] = replace(
            known,
            last_position=logged.position,
            event_types=(*known.event_types, logged.event.type_name),
        )


def _theme(state: State, event: ThemeDefined, logged: Logged) -> str:
    state.themes[event.number] = event.title
    return str(event.number)


def _topic(state: State, event: TopicDefined, logged: Logged) -> str:
    state.topics[event.topic_id] = TopicState(event.topic_id, event.theme, event.title)
    return event.topic_id


def _unit(state: State, event: UnitRegistered, logged: Logged) -> str:
    state.units[event.unit_id] = UnitState(
        event.unit_id, event.name, event.kind, tuple(event.boroughs)
    )
    return event.unit_id


def _role(state: State, event: RoleGranted, logged: Logged) -> str:
    state.roles.setdefault(event.actor, set()).add(Role(event.role, event.unit_id))
    return event.actor


def _role_revoked(state: State, event: RoleRevoked, logged: Logged) -> str:
    """Effective from its position: the commands after it are decided without the role."""
    held = state.roles.get(event.actor, set())
    held.discard(Role(event.role, event.unit_id))
    if not held:
        state.roles.pop(event.actor, None)
    return event.actor


def _scheduled(state: State, event: MilestoneScheduled, logged: Logged) -> str:
    state.milestones[event.milestone_id] = MilestoneState(
        event.milestone_id, event.title, event.topic_id, event.owner_unit, event.due_quarter
    )
    return event.milestone_id


def _progress(state: State, event: MilestoneProgressReported, logged: Logged) -> str:
    milestone = state.milestones.get(event.milestone_id)
    if milestone is not None:
        milestone.reports[logged.event_id] = ProgressState(
            event.quarter, event.status, event.as_of, _category(state, event.quarter, event.status)
        )
    return event.milestone_id


def _category(state: State, quarter: Quarter, status: str) -> str:
    return status_def(state.scale_for(quarter), status).category


def _scale(state: State, event: StatusScaleDefined, logged: Logged) -> str:
    state.scales[event.scale_id] = event.scale
    return event.scale_id


def _adopted(state: State, event: StatusScaleAdopted, logged: Logged) -> str:
    state.adoptions.append((event.from_quarter, logged.position, event.scale_id))
    return event.scale_id


def _rescheduled(state: State, event: MilestoneRescheduled, logged: Logged) -> str:
    milestone = state.milestones.get(event.milestone_id)
    if milestone is not None:
        milestone.reschedules[logged.event_id] = event.to_quarter
    return event.milestone_id


def _withdrawn(state: State, event: MilestoneWithdrawn, logged: Logged) -> str:
    milestone = state.milestones.get(event.milestone_id)
    if milestone is not None:
        milestone.withdrawals.add(logged.event_id)
    return event.milestone_id


def _update(state: State, event: OperationalUpdate, logged: Logged) -> str:
    state.updates[event.update_id] = event.unit_id
    if isinstance(event, UnitWentLive):
        state.live_units.setdefault(event.live_unit, logged.event_id)
    elif isinstance(event, TaskforceFormed):
        state.taskforces.setdefault(event.taskforce_unit, FormationState(
            logged.event_id, event.update_id, event.effective_date))
    elif (key := one_off_key(event)) is not None:
        state.one_offs.setdefault(key, OneOffState(
            logged.event_id, event.update_id, event.effective_date, type(event)))
    return event.update_id


def _indicator(state: State, event: IndicatorDefined, logged: Logged) -> str:
    state.indicators[event.indicator_id] = IndicatorState(event.indicator_id, event.name)
    return event.indicator_id


def _value(state: State, event: IndicatorValueRecorded, logged: Logged) -> str:
    indicator = state.indicators.get(event.indicator_id)
    if indicator is not None:
        indicator.values.setdefault(event.period, {})[logged.event_id] = ValueState(
            event.value, event.source, event.released_on
        )
        indicator.periods_by_event[logged.event_id] = event.period
    return event.indicator_id


def _overview(state: State, event: QuarterOverviewWritten, logged: Logged) -> str:
    return str(event.quarter)


def _corrected(state: State, event: EventCorrected, logged: Logged) -> str:
    target_id = uuid.UUID(str(event.target_event_id))
    ref = state.events.get(target_id)
    if ref is not None and target_id not in state.retracted:
        apply = _CORRECTED.get(ref.event_class)
        if apply is not None:
            apply(state, ref, event.changes)
    return str(target_id)


def _retracted(state: State, event: EventRetracted, logged: Logged) -> str:
    target_id = uuid.UUID(str(event.target_event_id))
    ref = state.events.get(target_id)
    if ref is not None and target_id not in state.retracted:
        state.retracted.add(target_id)
        undo = _RETRACTED.get(ref.event_class)
        if undo is not None:
            undo(state, ref)
    return str(target_id)


# -- corrections: the changed fields the rules depend on ---------------------------------


def _theme_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    if "title" in changes:
        state.themes[int(ref.key)] = str(changes["title"])


def _topic_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    _copy(changes, state.topics[ref.key], title=str)


def _unit_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    _copy(changes, state.units[ref.key], name=str, boroughs=tuple)


def _schedule_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    _copy(changes, state.milestones[ref.key], title=str, owner_unit=str)


def _progress_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    report = state.milestones[ref.key].reports.get(ref.event_id)
    if report is not None:
        _copy(changes, report, status=str, as_of=_day)
        report.category = _category(state, report.quarter, report.status)


def _formation_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    for formation in state.taskforces.values():
        if formation.event_id == ref.event_id:
            _copy(changes, formation, effective_date=_day)


def _one_off_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    """A corrected name moves the one-off to its new key; a corrected date is kept."""
    for key, one_off in list(state.one_offs.items()):
        if one_off.event_id == ref.event_id:
            _copy(changes, one_off, effective_date=_day)
            field_name = ONE_OFFS[one_off.event_class][0]
            if field_name in changes:
                del state.one_offs[key]
                state.one_offs.setdefault(
                    named_key(one_off.event_class, str(changes[field_name])), one_off)


def _one_off_retracted(state: State, ref: EventRef) -> None:
    for key, one_off in list(state.one_offs.items()):
        if one_off.event_id == ref.event_id:
            del state.one_offs[key]


def _indicator_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    _copy(changes, state.indicators[ref.key], name=str)


def _value_corrected(state: State, ref: EventRef, changes: Mapping[str, Any]) -> None:
    indicator = state.indicators[ref.key]
    period = indicator.periods_by_event[ref.event_id]
    _copy(changes, indicator.values[period][ref.event_id],
          value=_exact, source=str, released_on=_day)


def _copy(changes: Mapping[str, Any], kept: object, **read: Callable[[Any], object]) -> None:
    """Set each field of `read` that `changes` holds on `kept`, read from its stored form."""
    for name, convert in read.items():
        if name in changes:
            setattr(kept, name, convert(changes[name]))


def _day(stored: Any) -> date:
    """A stored date at its precision (``2018-04-01``, ``2018-04``, ``2018-19-Q1``)."""
    return parse_precise(str(stored))


def _exact(stored: Any) -> Decimal:
    return Decimal(str(stored))


# -- retractions: what stops counting -------------------------------------------------------


def _progress_retracted(state: State, ref: EventRef) -> None:
    state.milestones[ref.key].reports.pop(ref.event_id, None)


def _reschedule_retracted(state: State, ref: EventRef) -> None:
    state.milestones[ref.key].reschedules.pop(ref.event_id, None)


def _withdrawal_retracted(state: State, ref: EventRef) -> None:
    state.milestones[ref.key].withdrawals.discard(ref.event_id)


def _value_retracted(state: State, ref: EventRef) -> None:
    indicator = state.indicators[ref.key]
    period = indicator.periods_by_event[ref.event_id]
    indicator.values[period].pop(ref.event_id, None)


def _went_live_retracted(state: State, ref: EventRef) -> None:
    for unit_id, event_id in list(state.live_units.items()):
        if event_id == ref.event_id:
            del state.live_units[unit_id]


def _formation_retracted(state: State, ref: EventRef) -> None:
    for unit_id, formation in list(state.taskforces.items()):
        if formation.event_id == ref.event_id:
            del state.taskforces[unit_id]


Evolver = Callable[[State, Any, Logged], str]

_EVOLVERS: dict[type[DomainEvent], Evolver] = {
    ThemeDefined: _theme,
    TopicDefined: _topic,
    UnitRegistered: _unit,
    RoleGranted: _role,
    RoleRevoked: _role_revoked,
    MilestoneScheduled: _scheduled,
    MilestoneProgressReported: _progress,
    MilestoneRescheduled: _rescheduled,
    MilestoneWithdrawn: _withdrawn,
    TaskforceFormed: _update,
    TaskforceChanged: _update,
    UnitWentLive: _update,
    AssetAcquired: _update,
    RolloutCompleted: _update,
    OperationalUpdateRecorded: _update,
    IndicatorDefined: _indicator,
    IndicatorValueRecorded: _value,
    QuarterOverviewWritten: _overview,
    StatusScaleDefined: _scale,
    StatusScaleAdopted: _adopted,
    EventCorrected: _corrected,
    EventRetracted: _retracted,
}

_CORRECTED: dict[type[DomainEvent], Callable[[State, EventRef, Mapping[str, Any]], None]] = {
    ThemeDefined: _theme_corrected,
    TopicDefined: _topic_corrected,
    UnitRegistered: _unit_corrected,
    MilestoneScheduled: _schedule_corrected,
    MilestoneProgressReported: _progress_corrected,
    TaskforceFormed: _formation_corrected,
    AssetAcquired: _one_off_corrected,
    RolloutCompleted: _one_off_corrected,
    IndicatorDefined: _indicator_corrected,
    IndicatorValueRecorded: _value_corrected,
}

_RETRACTED: dict[type[DomainEvent], Callable[[State, EventRef], None]] = {
    MilestoneProgressReported: _progress_retracted,
    MilestoneRescheduled: _reschedule_retracted,
    MilestoneWithdrawn: _withdrawal_retracted,
    IndicatorValueRecorded: _value_retracted,
    UnitWentLive: _went_live_retracted,
    TaskforceFormed: _formation_retracted,
    AssetAcquired: _one_off_retracted,
    RolloutCompleted: _one_off_retracted,
}
