"""The fold: every event, in position order, into a `PlanState` of records and versions.

`evolve(state, decoded)` applies one event and returns the state. It checks everything
before it changes anything, so an event it refuses (`InvalidEvent`) leaves the state as
it was: a runner can commit up to the event before and stop there.

The state keeps every version of every fact, so one state answers questions at any
earlier position as well as at its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from catalogue import (
    EventCorrected,
    EventRetracted,
    IndicatorValueRecorded,
    MilestoneRescheduled,
    decode,
)
from eventstore import RecordedEvent, canonical_json
from projections.errors import InvalidEvent, ProjectionFailed
from projections.fold.decoding import Decoded, DecodeError, decode_event
from projections.fold.records import Note, Record, Version


@dataclass(frozen=True, slots=True)
class Gap:
    """An event the fold could not read and went past: the answer is incomplete there, and
    says so rather than stop every question after it."""

    position: int
    event_id: str
    type: str
    reason: str

    def __str__(self) -> str:
        return f"1 event at position {self.position} could not be read: {self.reason}"


@dataclass(slots=True)
class PlanState:
    """Everything the log has said, as records in position order."""

    position: int = 0
    """The last position folded in."""
    records: dict[str, Record] = field(default_factory=dict)
    """By event id, in position order."""
    gaps: list[Gap] = field(default_factory=list)
    """The events skipped as unreadable, in position order."""

    def add(self, record: Record) -> None:
        """Add a record (loading a state from elsewhere keeps position order by sorting)."""
        self.records[record.event_id] = record

    def of_type(self, *types: str) -> Iterator[Record]:
        wanted = set(types)
        return (record for record in self.records.values() if record.type in wanted)

    def sorted(self) -> PlanState:
        """The same records in position order (after loading them out of order)."""
        ordered = sorted(self.records.values(), key=lambda record: record.position)
        return PlanState(self.position, {record.event_id: record for record in ordered},
                         list(self.gaps))

    def skip(self, gap: Gap) -> None:
        """Go past an unreadable event, keeping where and why."""
        if not any(known.position == gap.position for known in self.gaps):
            self.gaps.append(gap)
            self.gaps.sort(key=lambda known: known.position)
        self.position = max(self.position, gap.position)


def evolve(state: PlanState, decoded: Decoded) -> PlanState:
    """Apply one event; refuse it with `InvalidEvent` and leave `state` untouched."""
    if decoded.position <= state.position:
        raise InvalidEvent(f"position {decoded.position} is not after {state.position}")
    event = decoded.event
    if isinstance(event, EventCorrected):
        _correct(state, decoded, event)
    elif isinstance(event, EventRetracted):
        _retract(state, decoded, event)
    else:
        state.records[decoded.event_id] = Record(
            event_id=decoded.event_id,
            position=decoded.position,
            type=decoded.type,
            stream_id=decoded.stream_id,
            recorded_at=decoded.recorded_at,
            occurred_at=decoded.occurred_at,
            versions=[Version(event, decoded.payload_json, decoded.position,
                              notes=_own_notes(decoded, event))],
        )
    state.position = decoded.position
    return state


def _own_notes(decoded: Decoded, event: object) -> tuple[Note, ...]:
    """A reschedule is its own note (who moved the milestone, when, why): the record keeps
    no actor otherwise, and the report says it as it says a correction. So is a restated
    value's reason, with who gave it."""
    if isinstance(event, IndicatorValueRecorded) and event.reason is not None:
        return (Note(position=decoded.position, event_id=decoded.event_id,
                     recorded_at=decoded.recorded_at, actor=decoded.actor,
                     channel=decoded.channel, unit=decoded.unit, reason=event.reason,
                     kind=decoded.type),)
    if not isinstance(event, MilestoneRescheduled):
        return ()
    return (Note(position=decoded.position, event_id=decoded.event_id,
                 recorded_at=decoded.recorded_at, actor=decoded.actor,
                 channel=decoded.channel, unit=decoded.unit, reason=event.reason,
                 changes={"due_quarter": str(event.to_quarter)},
                 previous={"due_quarter": str(event.from_quarter)}, kind=decoded.type),)


def _target(state: PlanState, event: EventCorrected | EventRetracted) -> Record:
    target_id = str(event.target_event_id)
    record = state.records.get(target_id)
    if record is None:
        raise InvalidEvent(f"its target {target_id} is not a recorded fact before it")
    if record.type != event.target_type or record.stream_id != event.target_stream_id:
        raise InvalidEvent(
            f"its target {target_id} is a {record.type} on {record.stream_id}, "
            f"not a {event.target_type} on {event.target_stream_id}"
        )
    if record.retraction is not None:
        raise InvalidEvent(f"its target {target_id} was retracted at {record.retraction.position}")
    return record


def _correct(state: PlanState, decoded: Decoded, event: EventCorrected) -> None:
    record = _target(state, event)
    current = record.current
    payload: dict[str, Any] = json.loads(current.payload_json)
    unknown = sorted(set(event.changes) - set(payload))
    if unknown:
        raise InvalidEvent(f"{record.type} has no field(s) {', '.join(unknown)}")
    previous = {name: payload[name] for name in event.changes}
    payload.update(event.changes)
    try:
        corrected = decode(record.type, current.event.schema_version, payload)
    except (ValueError, LookupError, TypeError) as error:
        raise InvalidEvent(f"once corrected, the {error}") from error
    note = Note(
        position=decoded.position,
        event_id=decoded.event_id,
        recorded_at=decoded.recorded_at,
        actor=decoded.actor, channel=decoded.channel, unit=decoded.unit,
        reason=event.reason,
        changes=dict(event.changes),
        previous=previous,
        kind=decoded.type,
    )
    current.known_to = decoded.position
    record.versions.append(
        Version(corrected, canonical_json(payload), decoded.position, None, (*current.notes, note))
    )


def _retract(state: PlanState, decoded: Decoded, event: EventRetracted) -> None:
    record = _target(state, event)
    record.retraction = Note(
        position=decoded.position,
        event_id=decoded.event_id,
        recorded_at=decoded.recorded_at,
        actor=decoded.actor, channel=decoded.channel, unit=decoded.unit,
        reason=event.reason,
        kind=decoded.type,
    )
    record.current.known_to = decoded.position



def applied(state: PlanState, item: Decoded) -> PlanState:
    """`evolve`, failing as a projection fails: `ProjectionFailed` naming the event, with
    `state` as it was (its position the last good one)."""
    try:
        return evolve(state, item)
    except InvalidEvent as error:
        raise ProjectionFailed(
            position=item.position,
            event_id=item.event_id,
            type=item.type,
            reason=str(error),
            last_good=state.position,
        ) from error


def fold(events: Iterable[RecordedEvent], state: PlanState | None = None) -> PlanState:
    """Fold stored events (in position order) into `state`, or a new one.

    An event that cannot be read is skipped and kept in `state.gaps`; raises
    `ProjectionFailed` naming the first event that is read but cannot be applied.
    """
    state = state if state is not None else PlanState()
    for recorded in events:
        try:
            item = decode_event(recorded)
        except DecodeError as error:
            state.skip(gap_of(recorded, error))
            continue
        applied(state, item)
    return state


def gap_of(recorded: RecordedEvent, error: DecodeError) -> Gap:
    """The gap an unreadable stored event leaves."""
    return Gap(recorded.position, str(recorded.event_id), recorded.type, str(error))
