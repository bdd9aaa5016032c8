"""Records to table rows and back: one row per version, notes as canonical JSON.

Each row carries the SHA-256 of its content (`row_digest`), so a reader can refuse a row
that was changed after the runner wrote it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from catalogue import CATALOGUE, StatusDef, decode
from eventstore import canonical_json
from eventstore.canonical import format_time, parse_time
from projections.fold.records import Note, Record, Version, version_keys


def note_json(note: Note) -> dict[str, Any]:
    data: dict[str, Any] = {
        "position": note.position,
        "event_id": note.event_id,
        "recorded_at": format_time(note.recorded_at),
        "actor": note.actor,
        "reason": note.reason,
        "changes": note.changes,
        "previous": note.previous,
        "kind": note.kind,
    }
    if note.channel:
        data["channel"] = note.channel
    if note.unit:
        data["unit"] = note.unit
    return data


def note_from_json(data: Mapping[str, Any]) -> Note:
    return Note(
        position=int(data["position"]),
        event_id=str(data["event_id"]),
        recorded_at=parse_time(str(data["recorded_at"])),
        actor=str(data["actor"]),
        reason=str(data["reason"]),
        changes=dict(data.get("changes") or {}),
        previous=dict(data.get("previous") or {}),
        kind=str(data.get("kind") or "EventCorrected"),
        channel=str(data.get("channel") or ""),
        unit=str(data.get("unit") or ""),
    )


def notes_text(notes: tuple[Note, ...]) -> str | None:
    """Notes as a JSON array (None for none), as the tables keep them."""
    if not notes:
        return None
    return json.dumps([note_json(note) for note in notes], sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def style_text(style: StatusDef) -> str:
    """A row's status style as canonical JSON (the ``style`` column)."""
    return json.dumps({"status": style.status, "label": style.label, "symbol": style.symbol,
                       "colour": style.colour, "category": style.category},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def style_from_text(text: str) -> StatusDef:
    """The style `style_text` wrote."""
    return StatusDef(**json.loads(text))


def notes_from_text(text: str | None) -> tuple[Note, ...]:
    """The notes `notes_text` wrote."""
    return tuple(note_from_json(item) for item in json.loads(text)) if text else ()


def version_row(generation: int, record: Record, version: Version) -> dict[str, Any]:
    """The table row of one version of a record."""
    keys = version_keys(record, version)
    last = version is record.versions[-1]
    row = {
        "generation": generation,
        "event_id": record.event_id,
        "known_from": version.known_from,
        "known_to": version.known_to,
        "position": record.position,
        "type": record.type,
        "stream_id": record.stream_id,
        "recorded_at": record.recorded_at,
        "occurred_at": record.occurred_at,
        "milestone_id": keys.milestone_id,
        "quarter": keys.quarter,
        "from_quarter": keys.from_quarter,
        "status": keys.status,
        "effective_on": keys.effective_on,
        "payload": version.payload_json,
        "notes": notes_text(version.notes),
        "retraction": canonical_json(note_json(record.retraction))
        if last and record.retraction is not None else None,
    }
    row["row_digest"] = row_digest(row)
    return row


DIGESTED = ("event_id", "known_from", "known_to", "position", "type",
            "stream_id", "recorded_at", "occurred_at", "milestone_id", "quarter",
            "from_quarter", "status", "effective_on", "payload", "notes", "retraction")
"""The columns a facts row's digest covers: all but the digest itself and the generation
(a rebuild makes the same rows, digests included, under the next generation number)."""


BOARD_DIGESTED = (
    "quarter_number", "milestone_id", "quarter", "title", "theme_number", "theme_title",
    "topic_id", "topic_title", "owner_unit", "owner_name", "due_quarter", "carried_over",
    "status", "symbol", "rescheduled_to", "last_report_quarter", "last_report_date",
    "source_position", "source_event_id", "source_type", "source_recorded_at", "corrections",
    "notes", "narrative", "sort_theme", "sort_topic", "sort_milestone", "style", "evidence")
"""The columns a board row's digest covers: all but the digest and the generation."""


def row_digest(row: Mapping[Any, Any], columns: Sequence[str] = DIGESTED) -> str:
    """The SHA-256 of a read-model row's content (a facts row's, unless other `columns`
    are named), the same for the row written and read back.

    Each column is length-prefixed text (None as ``-``), so no two rows share an encoding.
    It is checked on every row an answer loads, so it is kept cheap: no JSON, one pass.
    """
    parts: list[str] = []
    append = parts.append
    for value in map(row.__getitem__, columns):
        kind = type(value)
        if kind is str:  # most columns: no conversion to decide
            append(f"{len(value)}:{value}")
            continue
        if value is None:
            append("-")
            continue
        if kind is datetime:
            append(_TIMES.get(value) or _time_part(value))
            continue
        if isinstance(value, datetime) and value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        text = str(int(value)) if isinstance(value, bool) else str(value)
        append(f"{len(text)}:{text}")
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


_TIMES: dict[datetime, str] = {}
"""Each time's digest part, once: the rows of one commit share their times."""


def _time_part(value: datetime) -> str:
    """A time's part of a digest: its UTC text, length-prefixed (remembered)."""
    text = str(value if value.tzinfo is UTC else value.astimezone(UTC))
    if len(_TIMES) > 10_000:
        _TIMES.clear()
    part = _TIMES[value] = f"{len(text)}:{text}"
    return part


def altered_row(row: Any) -> str | None:
    """How a stored facts row fails its digest (naming the row), or None when it matches."""
    if row["row_digest"] == row_digest(row):
        return None
    where = (f"projection_facts row (generation {row['generation']}, event {row['event_id']}, "
             f"known from position {row['known_from']})")
    if row["row_digest"] is None:
        return f"{where} has no digest (written before digests): run `opslog projections rebuild`"
    return f"{where} does not match its digest"


def altered_board_row(row: Any) -> str | None:
    """How a stored board row fails its digest (naming the row), or None when it matches."""
    if row["row_digest"] == row_digest(row, BOARD_DIGESTED):
        return None
    return (f"milestone_board row (generation {row['generation']}, quarter {row['quarter']}, "
            f"milestone {row['milestone_id']}) does not match its digest")


def records_from_rows(rows: Iterable[Any], known_at: int | None = None) -> list[Record]:
    """Records (in position order) from rows of their versions (any order).

    With `known_at` (rows chosen by ``known_from <= known_at``), what the rows say of later
    positions is left out too: the retraction noted on a record's last row and the end of
    its last version, when they came after `known_at`. Events after it can then be folded
    onto these records as onto a fold that stopped there."""
    records: dict[str, Record] = {}
    for row in sorted(rows, key=lambda row: (row["position"], row["known_from"])):
        type_name = row["type"]
        event = decode(type_name, CATALOGUE[type_name].event_class.schema_version,
                       json.loads(row["payload"]))
        notes = notes_from_text(row["notes"])
        version = Version(event, row["payload"], row["known_from"], row["known_to"], notes)
        record = records.get(row["event_id"])
        if record is None:
            record = records[row["event_id"]] = Record(
                event_id=row["event_id"],
                position=row["position"],
                type=type_name,
                stream_id=row["stream_id"],
                recorded_at=row["recorded_at"],
                occurred_at=row["occurred_at"],
                versions=[],
            )
        record.versions.append(version)
        if row["retraction"]:
            record.retraction = note_from_json(json.loads(row["retraction"]))
    if known_at is not None:
        for record in records.values():
            _forget_after(record, known_at)
    return list(records.values())


def _forget_after(record: Record, position: int) -> None:
    if record.retraction is not None and record.retraction.position > position:
        record.retraction = None
    last = record.versions[-1]
    if last.known_to is not None and last.known_to > position:
        last.known_to = None
