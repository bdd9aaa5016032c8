"""What changed in a quarter's board and report between two knowledge cut-offs, and why.

Both reports are built exactly as `opslog report` builds them; `compare_reports` names the
changes; each change is then traced to the events that made it: of the events recorded
between the two cut-offs on the streams it depends on (a milestone's, an update's, an
indicator's, the overview's), those whose own step (the report just before the event
against the report just after it) changes that same thing. Each cause says the step's old
and new value and the event's reason, so an auditor sees every change beside the records
that caused it and why, and not beside the other events of the same stream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
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
from projections.audit.parts import Item, ReportParts
from projections.fold.cutoff import Cutoff
from projections.fold.reported import reported_by
from projections.fold.state import PlanState, fold
from projections.quarter.report import Report, build_report


@dataclass(frozen=True, slots=True)
class Cause:
    """An event recorded between the cut-offs that bears on a change."""

    position: int
    event_id: str
    type: str
    actor: str
    recorded_at: str
    before: str | None = None
    """The value just before this event (None: not in the report)."""
    after: str | None = None
    """The value just after it."""
    reason: str | None = None
    """Why, as the event says (a correction's, retraction's, reschedule's reason)."""


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
    for event in _between(store, before.at(first), after.at(last)):
        by_stream[event.stream_id].append(event)
    earliest = min((event.position for found in by_stream.values() for event in found),
                   default=last)
    steps = _Steps(store, quarter, after, last, earliest - 1)
    traced = tuple(
        TracedChange(change, steps.causes(change, sorted(
            (e for s in _streams(change, quarter) for e in by_stream.get(s, ())),
            key=lambda e: e.position)))
        for change in compare_reports(old, new)
    )
    return QuarterDiff(quarter, first, last, traced)


def _seen(store: EventStore, cutoff: Cutoff) -> Iterator[RecordedEvent]:
    """The events a cut-off (its position set) folds: up to its position, and with a
    declared date only those reported by then (`projections.fold.reported`)."""
    events = store.read_all(to_position=cutoff.position)
    return events if cutoff.reported is None else reported_by(events, cutoff.reported)


def _between(store: EventStore, before: Cutoff, after: Cutoff) -> Iterator[RecordedEvent]:
    """The events `after` folds and `before` does not: those recorded in between, or with
    a declared date on either side, those reported (or recorded) in between."""
    assert before.position is not None and after.position is not None
    if before.reported is None and after.reported is None:
        if after.position > before.position:
            yield from store.read_all(from_position=before.position + 1,
                                      to_position=after.position)
        return
    known = {event.event_id for event in _seen(store, before)}
    yield from (event for event in _seen(store, after) if event.event_id not in known)


class _Steps:
    """Each change's item just before and just after single events, from one state that
    answers at every position from `since` (just before the earliest candidate) to `last`:
    the read models' rows at `since` and the events after it, or, on declared dates or
    without read models, one fold of the log (a declared-date cut-off may hold events from
    anywhere before). Each step builds the report of only the records the item reads
    (`projections.audit.parts`), not of the whole plan: it shows that item as the whole
    report does, and an item's steps are built once for all its changes."""

    def __init__(self, store: EventStore, quarter: Quarter, cutoff: Cutoff, last: int,
                 since: int) -> None:
        self._store = store
        self._quarter = quarter
        self._cutoff = cutoff
        self._last = last
        self._since = since
        self._parts: ReportParts | None = None
        self._states: dict[Item, PlanState] = {}
        self._reports: dict[tuple[Item, int], Report] = {}

    def _state(self) -> PlanState:
        """The state up to `last`, read or folded once."""
        until = self._cutoff.at(self._last)
        state = None
        if until.reported is None:
            state = query.report_state(self._store, self._quarter, until, since=self._since)
        return state if state is not None else fold(_seen(self._store, until))

    def _part(self, item: Item) -> PlanState:
        """The records `item` reads, chosen once per item."""
        if self._parts is None:
            self._parts = ReportParts(self._state())
        if item not in self._states:
            self._states[item] = self._parts.part(item, self._quarter)
        return self._states[item]

    def _report(self, item: Item, position: int) -> Report:
        """The report of `item`'s records at `position`: that item as the whole report
        shows it then."""
        if (item, position) not in self._reports:
            self._reports[item, position] = build_report(self._part(item), self._quarter,
                                                         self._cutoff.at(position))
        return self._reports[item, position]

    def causes(self, change: Change, candidates: list[RecordedEvent]) -> tuple[Cause, ...]:
        """The candidates whose own step changes what `change` is about, with that step."""
        item = (change.kind, change.key)
        found = []
        for event in candidates:
            step = _same(change, compare_reports(self._report(item, event.position - 1),
                                                 self._report(item, event.position)))
            if step is not None:
                found.append(_cause(event, step))
        return tuple(found)


def _same(change: Change, steps: tuple[Change, ...]) -> Change | None:
    """The step's change to the same item and aspect as `change`, if any."""
    for step in steps:
        if (step.kind, step.key) == (change.kind, change.key) and (
                step.what == change.what or _presence(step) or _presence(change)):
            return step
    return None


def _presence(change: Change) -> bool:
    """An item entering or leaving the report: any step on it bears on that."""
    return change.what in ("new in the report", "no longer in the report")


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


def _cause(event: RecordedEvent, step: Change) -> Cause:
    reason = event.data.get("reason")
    return Cause(
        position=event.position,
        event_id=str(event.event_id),
        type=event.type,
        actor=str(event.metadata.get("actor", "")),
        recorded_at=event.recorded_at.isoformat(),
        before=step.before,
        after=step.after,
        reason=reason if isinstance(reason, str) else None,
    )
