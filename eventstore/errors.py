"""The store's one error hierarchy: every failure a caller can act on is an `EventStoreError`."""

from __future__ import annotations

from datetime import datetime, timedelta

from eventstore.canonical import format_time


class EventStoreError(Exception):
    """Root of every error the event store raises."""


class InvalidEvent(EventStoreError):
    """An argument to the store is malformed; nothing was written.

    `field` names what was wrong (for example ``events[2].data``) and `reason` says why.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class WrongExpectedVersion(EventStoreError):
    """The stream was not at the version the writer expected; nothing was written."""

    def __init__(self, stream_id: str, expected: object, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r}: expected version {expected}, actual version {actual}"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class HeadMoved(EventStoreError):
    """The log's head was not at the position the writer expected; nothing was written.

    For a writer that decided on what it knew of the whole log up to that position: the
    check happens under the append lock, so it costs no query of its own."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected the log's head at position {expected}, it is at {actual}")
        self.expected = expected
        self.actual = actual


class IdempotencyConflict(EventStoreError):
    """An idempotency key was reused with different content; nothing was written."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for different events")
        self.key = key


class DuplicateEventId(EventStoreError):
    """An event id is already in the log; nothing was written."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event id {event_id} is already recorded")
        self.event_id = event_id


class ClockBehind(EventStoreError):
    """The writer's clock reads too far behind the log's last recorded time; nothing was
    written. Recorded time never goes backwards, and stamping the commit with a time its
    clock never read would hide a wrong clock (see `eventstore.writer`)."""

    def __init__(self, clock_time: datetime, head_time: datetime, tolerance: timedelta) -> None:
        super().__init__(
            f"clock behind the log: this machine's clock reads {format_time(clock_time)}, "
            f"but the last commit was recorded at {format_time(head_time)} (more than "
            f"{tolerance.total_seconds():g} s later); nothing was written: check the clock"
        )
        self.clock_time = clock_time
        self.head_time = head_time


class ImmutableEvents(EventStoreError):
    """The database refused to change or remove a recorded event."""


class SchemaError(EventStoreError):
    """The database schema is missing or not at the version this code expects."""


class StoreUnavailable(EventStoreError):
    """The database could not be reached or failed in a way the store cannot interpret."""


class ImportRefused(EventStoreError):
    """An export file did not verify, or the target log is not empty; nothing was written.

    `line` is the file's line number (1 is the header) when one line is to blame, and
    `position` the log position that line holds or should hold.
    """

    def __init__(self, reason: str, line: int | None = None, position: int | None = None) -> None:
        where = ""
        if line is not None:
            where = f"line {line}" + (f" (position {position})" if position is not None else "")
            where += ": "
        super().__init__(f"import refused: {where}{reason}")
        self.reason = reason
        self.line = line
        self.position = position
