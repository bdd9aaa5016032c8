"""Erasing payload values of envelope 2 events while the chain, tree and checkpoints verify.

An erasure is itself an event: its metadata names what it erases (``"erases":
[[position, field], …]``), and in the same transaction, under the append lock, the store
writes one ``erasures`` row per named field and rewrites the targets' ``data`` and
``salts``: each named value is replaced (by what the caller puts in its place) and its
salt dropped. The digests stay, so every hash still verifies and the value cannot be
confirmed by hashing guesses. The database's triggers (es0004) allow this one UPDATE and
no other: only those columns, only those fields, only under the newest event naming them.

Bad targets (no such position, an envelope 1 event, no such field, a field already
erased, the same field twice) are refused as `InvalidEvent` naming the target, and
nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from eventstore.canonical import canonical_json
from eventstore.errors import InvalidEvent
from eventstore.model import ANY, AppendResult, Expected, NewEvent
from eventstore.tables import erasures, events

ERASES = "erases"
"""The metadata key of an erasure event: ``[[position, field], …]``, sorted."""


@dataclass(frozen=True, slots=True)
class Erase:
    """One payload field of one event to erase, and the JSON value left in its place."""

    position: int
    field: str
    replacement: Any = None


Append = Callable[..., AppendResult]


def erase_values(append: Append, targets: Sequence[Erase], stream_id: str, event: NewEvent,
                 expected_version: Expected = ANY,
                 idempotency_key: str | None = None) -> AppendResult:
    """Append `event` as the erasure of `targets`, erasing them in the same transaction.

    `append` is `EventStore.append` (its ``together`` hook runs the erasure before the
    commit). The event's metadata gains ``"erases"``; any it already had is refused.
    """
    if not targets:
        raise InvalidEvent("targets", "name at least one field to erase")
    seen: set[tuple[int, str]] = set()
    for index, target in enumerate(targets):
        key = (target.position, target.field)
        if isinstance(target.position, bool) or not isinstance(target.position, int) \
                or target.position < 1:
            raise InvalidEvent(f"targets[{index}].position", "must be a position from 1")
        if not isinstance(target.field, str) or not target.field:
            raise InvalidEvent(f"targets[{index}].field", "must name a payload field")
        if key in seen:
            raise InvalidEvent(f"targets[{index}]",
                               f"field {target.field!r} of position {target.position} "
                               "is named twice")
        seen.add(key)
    metadata = dict(event.metadata or {})
    if ERASES in metadata:
        raise InvalidEvent("event.metadata", f"{ERASES!r} is the store's to write")
    metadata[ERASES] = [list(key) for key in sorted(seen)]
    sealed = NewEvent(type=event.type, data=event.data, metadata=metadata,
                      occurred_at=event.occurred_at, event_id=event.event_id,
                      schema_version=event.schema_version)

    def apply(connection: sa.Connection) -> None:
        _apply(connection, targets)

    result: AppendResult = append(stream_id, [sealed], expected_version, idempotency_key,
                                  together=apply)
    return result


def _apply(connection: sa.Connection, targets: Sequence[Erase]) -> None:
    """Check every target, then write the erasure rows and blank the values and salts."""
    erasure_position = connection.execute(sa.select(sa.func.max(events.c.position))).scalar()
    assert erasure_position is not None  # the erasure event was just written
    by_position: dict[int, list[tuple[int, Erase]]] = {}
    for index, target in enumerate(targets):
        by_position.setdefault(target.position, []).append((index, target))
    changed: list[dict[str, Any]] = []
    for position, named in sorted(by_position.items()):
        row = connection.execute(
            sa.select(events.c.envelope, events.c.data, events.c.salts)
            .where(events.c.position == position)
        ).first()
        index = named[0][0]
        if row is None or position >= erasure_position:
            raise InvalidEvent(f"targets[{index}].position",
                               f"there is no event at position {position}")
        if row.envelope != 2:
            raise InvalidEvent(
                f"targets[{index}].position",
                f"the event at position {position} is envelope {row.envelope}: its hash "
                "commits to the payload text, which cannot be erased (re-envelope the log)")
        data: dict[str, Any] = json.loads(row.data)
        salts: dict[str, str] = json.loads(row.salts)
        for index, target in named:
            if target.field not in data:
                raise InvalidEvent(
                    f"targets[{index}].field",
                    f"the event at position {position} has no field {target.field!r} "
                    f"(it has {', '.join(sorted(data)) or 'none'})")
            if target.field not in salts:
                raise InvalidEvent(
                    f"targets[{index}].field",
                    f"field {target.field!r} of position {position} is already erased")
            data[target.field] = target.replacement
            del salts[target.field]
        changed.append({"target": position, "data": canonical_json(data),
                        "salts": canonical_json(salts)})
    connection.execute(erasures.insert(), [
        {"target_position": target.position, "field": target.field,
         "erasure_position": erasure_position} for target in targets
    ])
    connection.execute(
        events.update().where(events.c.position == sa.bindparam("target"))
        .values(data=sa.bindparam("data"), salts=sa.bindparam("salts")),
        changed,
    )


def erasures_of(connection: sa.Connection) -> Mapping[tuple[int, str], int]:
    """Every erased (position, field) and the position of the event that erased it."""
    rows = connection.execute(sa.select(erasures.c.target_position, erasures.c.field,
                                        erasures.c.erasure_position))
    return {(row.target_position, row.field): row.erasure_position for row in rows}
