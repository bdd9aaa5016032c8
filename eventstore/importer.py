"""Loading an export into an empty log, with positions, times and hashes as they were.

Nothing is written unless the whole file verifies. The first pass checks the file with
no database (`ExportReader`: every line, the chain, the header) and takes a SHA-256 of
its bytes. The second pass reads the same bytes into rows and writes them in one
transaction under the append lock, in batches so memory stays flat; it commits only if
its own digest of the bytes equals the first pass's. So a file changed between the
passes, an event id used twice (which only the database's unique index sees), or a
writer that slipped in first all end in a rollback, never in half a log.

A caller that knows what the events mean passes `check`, called on each event of the
first pass: the first reason it returns refuses the import, naming that line, once the
rest of the file has verified (the store itself reads no type or payload).

The idempotency records of a version 2 file are written in the same transaction, so a
key used before the export is still answered with its first result afterwards; so are
the signed checkpoints of a version 3 file, whose roots the first pass checked against the
file's events (and their signatures, when the log's public key is given), and the
Merkle tree is built from the events written (`tree.build_tree`).
An erasure event's ``erasures`` rows (named in its metadata) are written right after it,
where the database's guard accepts them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection

from eventstore.erasure import ERASES
from eventstore.errors import DuplicateEventId, ImportRefused
from eventstore.export import ExportProblem, ExportReader, ExportReport, Progress
from eventstore.export_format import MAX_LINE_BYTES
from eventstore.model import RecordedEvent, category_of
from eventstore.store import EventStore
from eventstore.tables import checkpoints, commits, erasures, events
from eventstore.translate import translate
from eventstore.transparency.note import Verifier
from eventstore.tree import build_tree
from eventstore.writer import lock_log

BATCH_SIZE = 2_000
PROGRESS_EVERY = 10_000
CHANGED = "the file changed while it was being imported"

EventCheck = Callable[[RecordedEvent], str | None]
"""Why an event may not be imported, or None when it may."""


def import_log(
    store: EventStore,
    file: BinaryIO,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    check: EventCheck | None = None,
    log_key: Verifier | None = None,
) -> ExportReport:
    """Load a verified export (a seekable binary file) into `store`, which must be empty.

    With `log_key`, every checkpoint in the file must be signed by it, or nothing is
    written; without, only the checkpoints' roots are checked (the report says which).
    """
    with store.engine.connect() as connection:
        _require_empty(connection)
    start = file.tell()
    checked = ExportReader(file, log_key=log_key)
    refused: ImportRefused | None = None
    try:
        for event in checked.events(progress):
            if refused is None and check is not None and (reason := check(event)) is not None:
                refused = ImportRefused(reason, checked.line, event.position)
    except ExportProblem as problem:
        raise ImportRefused(problem.reason, problem.line, problem.position) from problem
    if refused is not None:  # after the whole file: a damaged file is named as such first
        raise refused
    report = checked.report()
    file.seek(start)
    try:
        with store.engine.begin() as connection:
            lock_log(connection)
            _require_empty(connection)
            digest = _write(connection, file, report.checked, progress, batch_size)
            build_tree(connection, batch_size)
            if digest != checked.digest.hexdigest():
                raise ImportRefused(CHANGED)
        _analyse(store)
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


def _analyse(store: EventStore) -> None:
    """Give PostgreSQL's planner statistics for the rows just loaded.

    Without them it may plan a position range as a scan and sort of the whole range on
    every page read, until autovacuum gets round to the table.
    """
    if store.dialect == "postgresql":
        with store.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE events")


def _write(connection: Connection, file: BinaryIO, total: int, progress: Progress | None,
           batch_size: int) -> str:
    """Insert the file's events; return the digest of the bytes read, header included."""
    digest = hashlib.sha256()
    digest.update(file.readline(MAX_LINE_BYTES + 1))
    batch: list[dict[str, object]] = []
    done = 0
    records: list[dict[str, object]] = []
    signed: list[dict[str, object]] = []
    while raw := file.readline(MAX_LINE_BYTES + 1):
        digest.update(raw)
        try:
            line = json.loads(raw)
            if "commit" in line:
                records.append(_record(line["commit"]))
            elif "checkpoint" in line:
                signed.append(_checkpoint(line["checkpoint"]))
            else:
                batch.append(_row(line))
                done += 1
                erased = _erased(line)
                if erased:
                    # The database takes an erasure's rows only under the newest event.
                    connection.execute(events.insert(), batch)
                    batch.clear()
                    connection.execute(erasures.insert(), erased)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            raise ImportRefused(CHANGED) from error
        for rows, table in ((batch, events), (records, commits)):
            if len(rows) >= batch_size:
                connection.execute(table.insert(), rows)
                rows.clear()
        if progress is not None and done % PROGRESS_EVERY == 0 and not records:
            progress("importing", done, total)
    for rows, table in ((batch, events), (records, commits), (signed, checkpoints)):
        if rows:
            connection.execute(table.insert(), rows)
    if progress is not None:
        progress("importing", done, total)
    return digest.hexdigest()


def _erased(line: dict[str, Any]) -> list[dict[str, object]]:
    """The ``erasures`` rows an erasure event's metadata names (none for other events)."""
    if f'"{ERASES}"' not in line["metadata"]:
        return []
    named = json.loads(line["metadata"]).get(ERASES, [])
    return [{"target_position": position, "field": field,
             "erasure_position": line["position"]} for position, field in named]


def _checkpoint(checkpoint: dict[str, Any]) -> dict[str, object]:
    """A signed checkpoint's row, its root checked against the file's events by the reader."""
    return {**checkpoint, "created_at": datetime.fromisoformat(checkpoint["created_at"])}


def _record(commit: dict[str, Any]) -> dict[str, object]:
    """An idempotency record's row, so a resent command is answered "already recorded"."""
    return {**commit, "recorded_at": datetime.fromisoformat(commit["recorded_at"])}


def _row(line: dict[str, Any]) -> dict[str, object]:
    """The row for a line already verified (the digest proves these are the same bytes)."""
    return {
        "position": line["position"],
        "event_id": line["event_id"],
        "stream_id": line["stream_id"],
        "category": category_of(line["stream_id"]),
        "version": line["version"],
        "type": line["type"],
        "schema_version": line["schema_version"],
        "data": line["data"],
        "metadata": line["metadata"],
        "occurred_at": datetime.fromisoformat(line["occurred_at"]),
        "recorded_at": datetime.fromisoformat(line["recorded_at"]),
        "prev_hash": line["prev_hash"],
        "hash": line["hash"],
        "envelope": line.get("envelope", 1),
        "digests": line.get("digests"),
        "salts": line.get("salts"),
    }
