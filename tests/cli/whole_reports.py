"""`diff`'s cause tracing done the straightforward way, as the check of the fast one: every
step compares the whole report just before a candidate event with the whole report just
after it, both built from one fold of the log from position 1.

What counts as a candidate, as the same item and as a cause is `projections.audit.diff`'s
own (its private helpers, imported on purpose): only how a step's reports are built
differs, and that is what the comparison checks.
"""

from __future__ import annotations

from collections import defaultdict

from catalogue import Quarter
from eventstore import EventStore, RecordedEvent
from projections import query
from projections.audit.compare import compare_reports
from projections.audit.diff import (
    Cause,
    QuarterDiff,
    TracedChange,
    _between,
    _cause,
    _same,
    _seen,
    _streams,
)
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.report import Report, build_report


def diff_by_whole_reports(store: EventStore, quarter: Quarter, before: Cutoff,
                          after: Cutoff) -> QuarterDiff:
    """`diff_quarter`'s answer with every step built as two whole reports."""
    head = store.head().position
    first = head if before.position is None else before.position
    last = head if after.position is None else after.position
    old = query.report(store, quarter, before.at(first))
    new = query.report(store, quarter, after.at(last))
    by_stream: dict[str, list[RecordedEvent]] = defaultdict(list)
    for event in _between(store, before.at(first), after.at(last)):
        by_stream[event.stream_id].append(event)
    state = fold(_seen(store, after.at(last)))
    reports: dict[int, Report] = {}

    def report(position: int) -> Report:
        if position not in reports:
            reports[position] = build_report(state, quarter, after.at(position))
        return reports[position]

    traced = []
    for change in compare_reports(old, new):
        candidates = sorted((event for stream in _streams(change, quarter)
                             for event in by_stream.get(stream, ())),
                            key=lambda event: event.position)
        causes: list[Cause] = []
        for event in candidates:
            step = _same(change, compare_reports(report(event.position - 1),
                                                 report(event.position)))
            if step is not None:
                causes.append(_cause(event, step))
        traced.append(TracedChange(change, tuple(causes)))
    return QuarterDiff(quarter, first, last, tuple(traced))
