"""Reading from a PostgreSQL hot standby: how far it has replayed, and waiting for it.

A standby holds the primary's log and read models exactly as of the last transaction it
replayed, so any question it answers is answered as at its own head: a board at position H
is the primary's board at H. What it must never do is answer a question about a position
it has not replayed yet, or resolve ``--as-of TIME`` against a log that still lacks events
recorded before TIME: such questions wait for replay, up to a timeout, then say how far
behind it is.
"""

from __future__ import annotations

import time
from datetime import datetime

from eventstore import EventStore


class StandbyBehind(Exception):
    """The standby has not replayed the position a question needs."""

    def __init__(self, needed: int, head: int, waited: float) -> None:
        super().__init__(
            f"the read database has replayed the log to position {head}, {needed - head} "
            f"behind position {needed}, after waiting {waited:g}s; ask again later, or "
            "without --read-db to ask the primary")
        self.needed = needed
        self.head = head


def wait_for_position(store: EventStore, position: int, timeout: float,
                      poll: float = 0.05) -> int:
    """The standby's head once it reaches `position`; `StandbyBehind` after `timeout`."""
    started = time.monotonic()
    while True:
        head = store.head().position
        if head >= position:
            return head
        waited = time.monotonic() - started
        if waited >= timeout:
            raise StandbyBehind(position, head, round(timeout, 3))
        time.sleep(min(poll, max(0.0, timeout - waited)))


def position_as_of(primary: EventStore, as_of: datetime) -> int:
    """The log's last position recorded by `as_of`, asked of the primary: the standby may
    not yet hold every event recorded before then (one indexed lookup)."""
    return primary.position_at(as_of)
