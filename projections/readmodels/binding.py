"""The cheap check that ties read models and snapshots to the log they were made from.

A checkpoint and a snapshot each record the log's hash at their position. Comparing it
with the hash the log holds there costs one indexed read, so every answer makes it before
trusting either; the full recompute is `opslog verify`'s (`projections.readmodels.recompute`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.tables import events
from projections.readmodels.loading import Checkpoint


def log_hash_at(connection: Connection, position: int) -> str | None:
    """The hash of the event at `position`, or None when the log has none there."""
    found = connection.execute(
        sa.select(events.c.hash).where(events.c.position == position)).scalar()
    return None if found is None else str(found)


def unbound(connection: Connection, what: str, position: int,
            recorded: str | None) -> str | None:
    """Why `what`, recording head hash `recorded` at `position`, is not of this log (or None)."""
    if position == 0:
        return None
    if recorded is None:
        return (f"{what} at position {position} records no head hash: "
                "run `opslog projections rebuild`")
    found = log_hash_at(connection, position)
    if found != recorded:
        return (f"{what} at position {position} records head hash {recorded}, but the log "
                f"has {found or 'no event'} there")
    return None


def checkpoint_problem(connection: Connection, live: Checkpoint) -> str | None:
    """Why the live checkpoint is not bound to this log, or None when it is."""
    return unbound(connection, f"the read models' generation {live.generation} checkpoint",
                   live.position, live.head_hash)
