"""Checking the hash chain: the auditor's proof that nothing was altered, removed or moved.

This walks the stored rows and recomputes every hash from the stored fields; it trusts
nothing the writer computed except, when starting mid-log, the hash just before. An
envelope 2 event's fields are recomputed into their digests from the stored values and
salts; an erased field (no salt) is taken as its kept digest (`sealing`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

from eventstore.canonical import GENESIS_HASH, format_time, hash_input
from eventstore.model import RecordedEvent
from eventstore.sealing import sealed_problem

TIMES_KEPT = 4_096


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of a chain check: ok, or the first broken position and what broke."""

    ok: bool
    checked: int
    head_position: int
    head_hash: str
    first_bad_position: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return (
                f"ok: {self.checked} events checked, head position {self.head_position}, "
                f"head hash {self.head_hash}"
            )
        return f"broken at position {self.first_bad_position}: {self.problem}"


class ChainChecker:
    """Feed events in position order; the first inconsistency is kept and reported."""

    def __init__(self, start_position: int = 1, prev_hash: str = GENESIS_HASH,
                 stream_versions: dict[str, int] | None = None,
                 last_recorded_at: datetime | None = None) -> None:
        self.expected_position = start_position
        self.prev_hash = prev_hash
        self.stream_versions = stream_versions
        self.last_recorded_at = last_recorded_at
        self.checked = 0
        self.bad_position: int | None = None
        self.problem: str | None = None
        self.hash_input: bytes | None = None
        """What the last event's hash was recomputed over (its Merkle leaf's input)."""
        self._times: dict[datetime, str] = {}

    def _time_text(self, moment: datetime) -> str:
        """`format_time`, once per distinct time: the events of one commit share theirs."""
        text = self._times.get(moment)
        if text is None:
            if len(self._times) > TIMES_KEPT:
                self._times.clear()
            text = self._times[moment] = format_time(moment)
        return text

    def _fail(self, position: int, problem: str) -> bool:
        self.bad_position = position
        self.problem = problem
        return False

    def feed(self, event: RecordedEvent, recomputed: str | None = None) -> bool:
        """Check one event; False (and the problem recorded) at the first break.

        A caller that holds the event's canonical texts (an export file) may pass the hash
        it `recomputed` over them instead of having it recomputed from the parsed values.
        """
        if event.position != self.expected_position:
            if event.position > self.expected_position:
                return self._fail(
                    self.expected_position,
                    f"position {self.expected_position} is missing "
                    f"(next stored position is {event.position})",
                )
            return self._fail(event.position, "position out of order or repeated")
        if event.prev_hash != self.prev_hash:
            return self._fail(
                event.position, "prev_hash does not match the hash of the event before it"
            )
        if recomputed is None:
            self.hash_input = hash_input(
                position=event.position,
                event_id=event.event_id_text,
                stream_id=event.stream_id,
                version=event.version,
                type=event.type,
                schema_version=event.schema_version,
                occurred_at=self._time_text(event.occurred_at),
                recorded_at=self._time_text(event.recorded_at),
                prev_hash=event.prev_hash,
                data_json=event.data_json,
                metadata_json=event.metadata_json,
                envelope=event.envelope,
                digests_json=event.digests_json,
            )
            recomputed = sha256(self.hash_input).hexdigest()
        if recomputed != event.hash:
            return self._fail(
                event.position, "hash does not match the event's content (a field was altered)"
            )
        if event.envelope == 2 and (
                problem := sealed_problem(event.data_json, event.digests_json,
                                          event.salts_json)) is not None:
            return self._fail(event.position, problem)
        if self.last_recorded_at is not None and event.recorded_at < self.last_recorded_at:
            return self._fail(event.position, "recorded_at goes backwards")
        if self.stream_versions is not None:
            expected_version = self.stream_versions.get(event.stream_id, 0) + 1
            if event.version != expected_version:
                return self._fail(
                    event.position,
                    f"stream {event.stream_id!r} version {event.version} "
                    f"where {expected_version} was expected",
                )
            self.stream_versions[event.stream_id] = event.version
        self.last_recorded_at = event.recorded_at
        self.prev_hash = event.hash
        self.expected_position += 1
        self.checked += 1
        return True


def verify_events(
    events: Iterable[RecordedEvent],
    *,
    start_position: int = 1,
    prev_hash: str = GENESIS_HASH,
    check_versions: bool = True,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Check a run of events that should start at `start_position` after `prev_hash`."""
    checker = ChainChecker(
        start_position, prev_hash, stream_versions={} if check_versions else None
    )
    for event in events:
        if not checker.feed(event):
            break
        if progress is not None and checker.checked % 10_000 == 0:
            progress(checker.checked)
    if progress is not None:
        progress(checker.checked)
    return VerifyReport(
        ok=checker.bad_position is None,
        checked=checker.checked,
        head_position=checker.expected_position - 1,
        head_hash=checker.prev_hash,
        first_bad_position=checker.bad_position,
        problem=checker.problem,
    )
