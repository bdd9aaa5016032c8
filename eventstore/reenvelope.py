"""Moving a log of envelope 1 events to envelope 2, so its values become erasable.

An envelope 1 hash commits to the payload text itself: that log stays verifiable as it
is (`verify` and `verify-export` apply the v1 rule to v1 events), but none of its values
can be erased without breaking the chain. To make them erasable, the log is re-sealed
into a new, empty database: every event of a verified export is appended again with the
same position, id, stream, version, type, payload, metadata and times, sealed with fresh
salts, so every hash changes. The mapping of each position's old hash to its new one is
written as JSON Lines (``{"position":N,"v1_hash":"…","v2_hash":"…"}``) for whoever kept
the old head or an old checkpoint: it ties the old chain to the new one. The old log's
checkpoints sign the old tree and are not carried over; nor are its idempotency records.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO, TextIO

from eventstore.errors import ImportRefused
from eventstore.export import ExportProblem, ExportReader, ExportReport
from eventstore.model import NewEvent, RecordedEvent
from eventstore.store import EventStore


def reenvelope(store: EventStore, file: BinaryIO, mapping: TextIO) -> ExportReport:
    """Re-seal the verified export `file` (seekable) into the empty `store`, each event
    appended at its own recorded time; write the old and new hash of each position to
    `mapping`."""
    start = file.tell()
    checked = ExportReader(file)
    try:
        for _event in checked.events():
            pass
    except ExportProblem as problem:
        raise ImportRefused(problem.reason, problem.line, problem.position) from problem
    if store.head().position != 0:
        raise ImportRefused("the target log is not empty: re-envelope into a new database")
    file.seek(start)
    current: list[RecordedEvent] = []

    def clock() -> datetime:
        return current[0].recorded_at

    target = EventStore(store.engine, clock=clock)
    for event in ExportReader(file).events():
        current[:] = [event]
        result = target.append(event.stream_id, [NewEvent(
            type=event.type, data=event.data, metadata=event.metadata,
            occurred_at=event.occurred_at, event_id=event.event_id,
            schema_version=event.schema_version)], event.version - 1)
        new_hash = target.hash_at(result.last_position)
        mapping.write(json.dumps({"position": event.position, "v1_hash": event.hash,
                                  "v2_hash": new_hash}, separators=(",", ":")) + "\n")
    return checked.report()
