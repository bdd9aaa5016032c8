"""What changed in a quarter's board and report between two knowledge cut-offs, and why.

Both reports are built exactly as `opslog report` builds them; `compare_reports` names the
changes; each change is then traced to the events recorded between the two cut-offs on the
streams it depends on (a milestone's, an update's, an indicator's, the overview's), so an
auditor sees every change beside the records that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from catalogue import Quarter
from catalogue.streams import (
    indicator_stream,
    milestone_stream,
    overview_stream,
    update_stream,
)
from eventstore import EventStore, RecordedEvent
from projections import query
from projections.audit.compare import Change, compare_reports
from projections.fold.cutoff import Cutoff


@dataclass(frozen=True, slots=True)
class Cause:
    """An event recorded between the cut-offs that bears on a change."""

    position: int
    event_id: str
    type: str
    actor: str
    recorded_at: str


@dataclass(frozen=True, slots=True)
class TracedChange:
    change: Change
    causes: tuple[Cause, ...]


@dataclass(frozen=True, slots=True)
class QuarterDiff:
    quarter: Quarter
    from_position: int
    to_position: int
    changes: tuple[TracedChange, ...]


def diff_quarter(store: EventStore, quarter: Quarter, before: Cutoff, after: Cutoff) -> QuarterDiff:
    """The changes to `quarter`'s report from `before` to `after`, each with its causes."""
    head = store.head().position
    first = head if before.position is None else before.position
    last = head if after.position is None else after.position
    old = query.report(store, quarter, before.at(first))
    new = query.report(store, quarter, after.at(last))
    by_stream: dict[str, list[RecordedEvent]] = defaultdict(list)
    if last > first:
        for event in store.read_all(from_position=first + 1, to_position=last):
            by_stream[event.stream_id].append(event)
    traced = tuple(
        TracedChange(change, tuple(_cause(e) for s in _streams(change, quarter)
                                   for e in by_stream.get(s, ())))
        for change in compare_reports(old, new)
    )
    return QuarterDiff(quarter, first, last, traced)


def _streams(change: Change, quarter: Quarter) -> tuple[str, ...]:
    """The streams whose events can move this kind of item."""
    key = change.key.split(" ", 1)[0]
    if change.kind == "milestone":
        return (milestone_stream(key),)
    if change.kind == "update":
        return (update_stream(key),)
    if change.kind in ("figure", "value"):
        return (indicator_stream(key),)
    return (overview_stream(quarter),)


def _cause(event: RecordedEvent) -> Cause:
    return Cause(
        position=event.position,
        event_id=str(event.event_id),
        type=event.type,
        actor=str(event.metadata.get("actor", "")),
        recorded_at=event.recorded_at.isoformat(),
    )
