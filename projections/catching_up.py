"""Before a question is answered: the read models brought up to the log from where they stand.

A board or report at the head answered from read models some events behind would fold
those events in memory on every asking, and a log whose read models were never built would
be folded whole from position 1, every time. So a question asked of the primary first
applies what its read models lack, from their own checkpoint, in the runner's batches
(`projections.readmodels.runner`): the work of the events recorded since, done once and
kept. Read models never built are built once, and standard error says so; a standby (read
only), drifted read models, or a catch-up that fails leave them as they are, and the
question is answered as before (read models plus the tail, a snapshot, or the log).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore import EventStore
from projections.errors import ProjectionError
from projections.notices import Notice, tell
from projections.readmodels.binding import checkpoint_problem
from projections.readmodels.loading import Checkpoint, checkpoint
from projections.readmodels.runner import Runner
from projections.readmodels.tables import checkpoints


def catch_up_to(store: EventStore, position: int | None,
                notice: Notice | None = None) -> Checkpoint | None:
    """Bring the live read models at least to `position` (None: the head) when they are
    behind it, and return where they then stand (None: left as they were).

    Behind: every event after their checkpoint, up to the head, is applied. Never built
    (no live checkpoint, or one at position 0 of a log that has events): built once from
    position 1, told to `notice`. Nothing is written on a hot standby, nor to read models
    that fail their binding to the log (the question says so and answers without them).
    """
    try:
        with store.engine.connect() as connection:
            if _read_only(connection):
                return None
            if not sa.inspect(connection).has_table(checkpoints.name):
                tell(notice, "read models: their tables are missing (run `opslog init`): "
                              "answering from the log")
                return None
            live = checkpoint(connection)
            if live is not None and checkpoint_problem(connection, live) is not None:
                return None
        head = store.head().position
        wanted = head if position is None else min(position, head)
        runner = Runner(store)
        if live is not None and live.position > 0:
            if live.position >= wanted:
                return live
            return runner.catch_up()
        if head == 0:
            return None
        tell(notice, f"read models: not built yet: building them once from the log "
                      f"({head:,} events; `opslog projections rebuild` does it beforehand)")
        return runner.rebuild()
    except ProjectionError as error:
        tell(notice, f"read models: not brought up to date ({error}): answering from "
                      "them and the events since")
        return None


def _read_only(connection: Connection) -> bool:
    """A PostgreSQL hot standby (in recovery) takes no writes; a SQLite file always does."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar())

