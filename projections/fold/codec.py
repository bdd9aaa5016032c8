"""The fold's state as JSON and back: deterministic, so equal states give equal text.

A snapshot holds everything needed to continue folding from its position: every record
with every version, its notes and its retraction.
"""

from __future__ import annotations

import json
from typing import Any

from catalogue import CATALOGUE, decode
from eventstore import canonical_json
from eventstore.canonical import format_time, parse_time
from projections.fold.records import Record, Version
from projections.fold.state import Gap, PlanState
from projections.readmodels.rows import note_from_json, note_json

FORMAT = 1


def state_to_json(state: PlanState) -> str:
    """Canonical JSON text of the whole state."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "position": state.position,
        "records": [_record(record) for record in state.records.values()],
    }
    if state.gaps:  # only when there are any: a state without gaps keeps its old bytes
        data["gaps"] = [{"position": gap.position, "event_id": gap.event_id,
                         "type": gap.type, "reason": gap.reason} for gap in state.gaps]
    return canonical_json(data)


def state_from_json(text: str) -> PlanState:
    """The state a snapshot holds (payloads upcast and loaded through the catalogue)."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown snapshot format {data.get('format')!r}")
    state = PlanState(int(data["position"]))
    for item in data["records"]:
        state.add(_from_record(item))
    state.gaps = [Gap(int(gap["position"]), str(gap["event_id"]), str(gap["type"]),
                      str(gap["reason"])) for gap in data.get("gaps", ())]
    return state


def _record(record: Record) -> dict[str, Any]:
    return {
        "event_id": record.event_id,
        "position": record.position,
        "type": record.type,
        "stream_id": record.stream_id,
        "recorded_at": format_time(record.recorded_at),
        "occurred_at": format_time(record.occurred_at),
        "retraction": note_json(record.retraction) if record.retraction else None,
        "versions": [
            {
                "payload": json.loads(version.payload_json),
                "known_from": version.known_from,
                "known_to": version.known_to,
                "notes": [note_json(note) for note in version.notes],
            }
            for version in record.versions
        ],
    }


def _from_record(item: dict[str, Any]) -> Record:
    type_name = str(item["type"])
    current = CATALOGUE[type_name].event_class.schema_version
    versions = [
        Version(
            event=decode(type_name, current, version["payload"]),
            payload_json=canonical_json(version["payload"]),
            known_from=int(version["known_from"]),
            known_to=None if version["known_to"] is None else int(version["known_to"]),
            notes=tuple(note_from_json(note) for note in version["notes"]),
        )
        for version in item["versions"]
    ]
    return Record(
        event_id=str(item["event_id"]),
        position=int(item["position"]),
        type=type_name,
        stream_id=str(item["stream_id"]),
        recorded_at=parse_time(item["recorded_at"]),
        occurred_at=parse_time(item["occurred_at"]),
        versions=versions,
        retraction=note_from_json(item["retraction"]) if item["retraction"] else None,
    )
