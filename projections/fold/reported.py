"""The declared-date axis: the log as its sources had reported it by a date.

``--as-reported DATE`` keeps an event iff its source reported it on or before DATE
(`catalogue.reported.declared_on`) and it was recorded by the time of the question. History
recorded late is then where its sources put it, not where the recording happened to fall.
Unlike the other two axes this is no prefix of the log: a return back-filled today sits
after events it predates. So the question folds the events that pass, in position order,
and a correction or retraction of an event that does not pass does not pass either: what
it answers was not reported yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from catalogue.reported import declared_on
from eventstore import RecordedEvent

ANSWERS = frozenset({"EventCorrected", "EventRetracted"})


def reported_by(events: Iterable[RecordedEvent], day: date) -> Iterator[RecordedEvent]:
    """The events (in their order) whose sources had reported them by `day`."""
    left_out: set[str] = set()
    for event in events:
        if declared_on(event.metadata, event.recorded_at) > day or (
                event.type in ANSWERS and str(event.data.get("target_event_id")) in left_out):
            left_out.add(str(event.event_id))
            continue
        yield event
