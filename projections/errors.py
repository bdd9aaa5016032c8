"""The read side's errors: one root, and the failure that names the event it stopped at."""

from __future__ import annotations


class ProjectionError(Exception):
    """Root of every error the projections raise."""


class InvalidEvent(ProjectionError):
    """An event the fold cannot apply (raised by `evolve`, which leaves the state as it was)."""


class ProjectionFailed(ProjectionError):
    """A projection stopped: everything before `position` is applied, nothing after.

    `last_good` is the position it stopped at; the event at `position` is the one that
    failed, for `reason`.
    """

    def __init__(self, *, position: int, event_id: str, type: str, reason: str,
                 last_good: int) -> None:
        super().__init__(
            f"stopped at position {last_good}: event {position} ({type} {event_id}) "
            f"cannot be applied: {reason}"
        )
        self.position = position
        self.event_id = event_id
        self.type = type
        self.reason = reason
        self.last_good = last_good


class NotBuilt(ProjectionError):
    """The persisted read models are missing or empty."""


class Conflict(ProjectionError):
    """Another runner moved the checkpoint while this one worked; nothing was written."""


class ReadModelDrift(ProjectionError):
    """A read model row or checkpoint, or a snapshot, that fails its check against the log:
    it is not used, and the answer comes from the log instead."""
