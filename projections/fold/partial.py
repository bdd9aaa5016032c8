"""Folding onto part of the state: the events after it, once what they refer to is loaded.

A board or report starts from the part of the fold's state its quarter needs — read from
the persisted read models (`projections.readmodels.loading`) or from a snapshot
(`projections.snapshots.resume`) — and folds the events recorded since. Such an event may
continue a record the part does not hold (a correction's target, a milestone's earlier
facts): each starting point knows where to find those (its `Fetch`), and this module does
the rest, once for both.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from eventstore import RecordedEvent
from projections.fold.decoding import Decoded, DecodeError, decode_event
from projections.fold.records import Record
from projections.fold.state import Gap, PlanState, applied, gap_of

Fetch = Callable[[PlanState, Sequence[Decoded]], Iterable[Record]]
"""The records, as of the state's position, that the tail may continue and the state may
lack (any it already holds are left as they are)."""


def readable(events: Iterable[RecordedEvent]) -> tuple[list[Decoded], list[Gap]]:
    """Stored events decoded, and the gaps those that cannot be read leave."""
    decoded: list[Decoded] = []
    gaps: list[Gap] = []
    for recorded in events:
        try:
            decoded.append(decode_event(recorded))
        except DecodeError as error:
            gaps.append(gap_of(recorded, error))
    return decoded, gaps


def fold_onto(state: PlanState, tail: Sequence[Decoded], to_position: int,
              fetch: Fetch, gaps: Iterable[Gap] = ()) -> PlanState:
    """Fold `tail` (events after `state.position`, up to `to_position`) into `state`, first
    adding the records `fetch` finds that it does not hold; `gaps` are the unreadable
    events among them, kept in the state.

    Raises `ProjectionFailed` naming the first event that cannot be applied.
    """
    missing = [record for record in fetch(state, tail) if record.event_id not in state.records]
    if missing:
        for record in missing:
            state.add(record)
        state.records = state.sorted().records
    for item in tail:
        applied(state, item)
    for gap in gaps:
        state.skip(gap)
    state.position = max(state.position, to_position)
    return state


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a state is built: its objects are freed by
    reference counting, and collection passes over thousands of new records cost more
    than the building itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
