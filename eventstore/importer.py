"""Loading an export into an empty log, with positions, times and hashes as they were.

Nothing is written unless the whole file verifies. A first pass checks the file with no
database; the second writes it in one transaction under the append lock (batched inserts,
memory flat), checking every line again as it goes, so a file changed between the passes,
an event id used twice, or a writer that slipped in first all end in a rollback, not in
half a log.
"""

from __future__ import annotations

from typing import BinaryIO

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection

from eventstore.errors import DuplicateEventId, ImportRefused
from eventstore.export import ExportProblem, ExportReader, ExportReport, Progress, verify_export
from eventstore.model import RecordedEvent, category_of
from eventstore.store import EventStore
from eventstore.tables import commits, events
from eventstore.translate import translate
from eventstore.writer import lock_log

BATCH_SIZE = 2_000


def import_log(
    store: EventStore,
    file: BinaryIO,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ExportReport:
    """Load a verified export (a seekable binary file) into `store`, which must be empty."""
    with store.engine.connect() as connection:
        _require_empty(connection)
    start = file.tell()
    report = verify_export(file, progress)
    if not report.ok:
        raise ImportRefused(str(report.problem), report.first_bad_line, report.first_bad_position)
    file.seek(start)
    try:
        with store.engine.begin() as connection:
            lock_log(connection)
            _require_empty(connection)
            reader = _write(connection, ExportReader(file), progress, batch_size)
            if reader.report() != report:
                raise ImportRefused("the file changed while it was being imported")
    except ExportProblem as problem:
        raise ImportRefused(
            f"the file changed while it was being imported: {problem.reason}",
            problem.line,
            problem.position,
        ) from problem
    except sa_exc.DBAPIError as error:
        translated = translate(error)
        if isinstance(translated, DuplicateEventId):
            raise ImportRefused(
                f"an event id appears twice in the file ({translated.event_id})"
            ) from error
        raise translated from error
    return report


def _require_empty(connection: Connection) -> None:
    try:
        head = connection.execute(sa.select(sa.func.max(events.c.position))).scalar()
        commit = connection.execute(sa.select(commits.c.idempotency_key).limit(1)).first()
    except sa_exc.DBAPIError as error:
        raise translate(error) from error
    if head is not None or commit is not None:
        raise ImportRefused(
            f"the target log is not empty (head position {head or 0}): "
            "import only into a new, empty database"
        )


def _write(connection: Connection, reader: ExportReader, progress: Progress | None,
           batch_size: int) -> ExportReader:
    batch: list[dict[str, object]] = []
    for event in reader.events(progress, phase="importing"):
        batch.append(_row(event))
        if len(batch) >= batch_size:
            connection.execute(events.insert(), batch)
            batch.clear()
    if batch:
        connection.execute(events.insert(), batch)
    return reader


def _row(event: RecordedEvent) -> dict[str, object]:
    return {
        "position": event.position,
        "event_id": str(event.event_id),
        "stream_id": event.stream_id,
        "category": category_of(event.stream_id),
        "version": event.version,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": event.data_json,
        "metadata": event.metadata_json,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
