"""Which events answer which: corrections and retractions cross-referenced for auditors.

A correction names its target by event id on the target's own stream; auditors want to
see, on each line of the log, what a correction points at and what was later corrected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from catalogue import EventCorrected, EventRetracted, UnknownEventType, decode
from eventstore import EventStore, RecordedEvent

ANSWER_TYPES = (EventCorrected.type_name, EventRetracted.type_name)
_VERB = {EventCorrected.type_name: "corrects", EventRetracted.type_name: "retracts"}
_PASSIVE = {EventCorrected.type_name: "corrected", EventRetracted.type_name: "retracted"}


@dataclass(slots=True)
class Lineage:
    """Positions of the events each correction answers, and of the answers each event got."""

    points_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Correction event id → (type, the corrected event's position)."""
    answered_by: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Corrected event id → [(correction type, the correction's position), …]."""
    in_log: bool = False
    """Whether the log holds any correction or retraction at all (`of_streams` only sees
    some streams; a listing shows its note column by this)."""

    @classmethod
    def of(cls, store: EventStore, to_position: int | None = None) -> Lineage:
        """Index every correction and retraction up to `to_position`."""
        lineage = cls()
        positions: dict[str, dict[str, int]] = {}
        for answer in store.read_all(to_position=to_position, types=list(ANSWER_TYPES)):
            target_id = str(answer.data.get("target_event_id", ""))
            stream = positions.get(answer.stream_id)
            if stream is None:
                stream = {str(e.event_id): e.position for e in store.read_stream(answer.stream_id)}
                positions[answer.stream_id] = stream
            target_position = stream.get(target_id)
            if target_position is None:
                continue
            lineage.points_at[str(answer.event_id)] = (answer.type, target_position)
            lineage.answered_by.setdefault(target_id, []).append((answer.type, answer.position))
        return lineage

    @classmethod
    def of_streams(cls, store: EventStore, stream_ids: Iterable[str]) -> Lineage:
        """Only what the events of these streams answer and are answered by: each answer is
        on the stream of the event it answers, so reading those streams alone is enough,
        and a page of the log or one stream's history costs its own streams, not the log."""
        lineage = cls()
        lineage.in_log = next(iter(store.read_all(types=list(ANSWER_TYPES), limit=1)),
                              None) is not None
        if not lineage.in_log:
            return lineage
        for stream_id in sorted(set(stream_ids)):
            events = list(store.read_stream(stream_id))
            positions = {str(event.event_id): event.position for event in events}
            for answer in events:
                if answer.type not in ANSWER_TYPES:
                    continue
                target_id = str(answer.data.get("target_event_id", ""))
                target_position = positions.get(target_id)
                if target_position is None:
                    continue
                lineage.points_at[str(answer.event_id)] = (answer.type, target_position)
                lineage.answered_by.setdefault(target_id, []).append(
                    (answer.type, answer.position))
        return lineage

    @property
    def shows_notes(self) -> bool:
        """A listing carries a note column: the log has answers to cross-reference."""
        return bool(self.points_at) or self.in_log

    def note(self, event: RecordedEvent) -> str:
        """``corrects #12`` on a correction; ``corrected by #40`` on what it corrected."""
        parts: list[str] = []
        pointed = self.points_at.get(str(event.event_id))
        if pointed is not None:
            parts.append(f"{_VERB[pointed[0]]} #{pointed[1]}")
        parts.extend(
            f"{_PASSIVE[kind]} by #{position}"
            for kind, position in self.answered_by.get(str(event.event_id), [])
        )
        return "; ".join(parts)


def catalogue_summary(fallback: Callable[[RecordedEvent], str]) -> Callable[[RecordedEvent], str]:
    """Summarise with the event's own `summary()`, or `fallback` for types it does not know."""

    def summarise(event: RecordedEvent) -> str:
        try:
            return decode(event.type, event.schema_version, event.data).summary()
        except (UnknownEventType, KeyError, ValueError, TypeError):
            return fallback(event)

    return summarise
