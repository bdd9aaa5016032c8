"""Check 3: the database refuses changes to the log; without its triggers, verify finds them.

One seeded generator makes random single mutations of a log written through real
commands: a field of the payload, of the metadata, a time, the type, another envelope
column, the deletion of an event, or the swap of two events. With the append-only
triggers in place every one is refused and the log is untouched. With the triggers
dropped, each is applied, `verify` must report the first broken position exactly where
the mutation was made, and the mutation is undone before the next.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from commands.service import CommandService
from eventstore import EventStore, ImmutableEvents, canonical_json
from eventstore.tables import events
from eventstore.translate import translate
from tests.eventstore.tampering import drop_immutability
from tests.reliability.figures import Figures, scaled
from tests.reliability.plan import (
    MILESTONES,
    UNITS,
    first_admin,
    operational_update,
    plan_commands,
    progress,
)

MUTATIONS = 1_000
COMMANDS = 120
KINDS = ("data", "metadata", "time", "type", "envelope", "delete", "swap")
ENVELOPE_COLUMNS = ("event_id", "stream_id", "category", "version", "schema_version",
                    "prev_hash", "hash")

Row = dict[str, Any]


@dataclass(frozen=True)
class Mutation:
    """One change to the stored log, the position verify must name, and how to undo it."""

    kind: str
    position: int
    detail: str
    rows: dict[int, Row]
    changed: dict[int, Row | None]
    """The rows at the affected positions after the change (None: deleted)."""


def write_log(store: EventStore) -> None:
    """The plan, then progress reports and updates with facts: realistic payloads."""
    first_admin(store)
    service = CommandService(store)
    rng = random.Random(7)
    commands = plan_commands()
    for n in range(COMMANDS):
        if n % 2:
            commands.append(progress(f"t/{n}", rng.choice(list(MILESTONES)), "on_track",
                                     f"Report {n}: £{n}m – “quoted” \u00e9\u4e2d"))
        else:
            commands.append(operational_update(f"t/{n}", rng.choice(UNITS), f"t-{n}",
                                               f"Update {n}"))
    for command in commands:
        assert service.submit(command).accepted


def all_rows(store: EventStore) -> dict[int, Row]:
    with store.engine.connect() as connection:
        return {row.position: dict(row._mapping)
                for row in connection.execute(sa.select(events).order_by(events.c.position))}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, child in value.items() for leaf in _leaves(child, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, child in enumerate(value)
                for leaf in _leaves(child, (*path, index))]
    return [path]


def _changed_leaf(rng: random.Random, value: Any) -> Any:
    """A different JSON value, usually of the same type, sometimes subtly so."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice((-1, 1, 1000))
    if isinstance(value, str):
        if value and rng.random() < 0.5:
            index = rng.randrange(len(value))
            replacement = "X" if value[index] != "X" else "Y"
            return value[:index] + replacement + value[index + 1:]
        return value + rng.choice((" ", "0", "£", "\u200b"))
    if value is None:
        return ""
    return None


def _changed_json(rng: random.Random, text: str) -> tuple[str, str]:
    """The canonical JSON `text` with one leaf changed: what a careful forger would write."""
    value = json.loads(text)
    path = rng.choice(_leaves(value))
    if not path:
        return canonical_json({"forged": True}), "whole object"
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = _changed_leaf(rng, parent[path[-1]])
    changed = canonical_json(value)
    assert changed != text
    return changed, ".".join(str(step) for step in path)


def _changed_envelope(rng: random.Random, column: str, value: Any) -> Any:
    if column == "event_id":
        return str(uuid.uuid4())
    if column == "stream_id":  # unused ids: (stream_id, version) is unique
        return rng.choice((f"update-forged-{uuid.uuid4().hex[:8]}", value + "x"))
    if column == "category":
        return rng.choice([name for name in ("milestone", "update", "unit", "actor", "x")
                           if name != value])
    if column == "version":
        return value + rng.choice((1000, 10**6))
    if column == "schema_version":
        return value + 1 if value == 1 or rng.random() < 0.5 else value - 1
    flipped = "0" if value[-1] != "0" else "1"
    return value[:-1] + flipped


def make_mutation(rng: random.Random, rows: dict[int, Row]) -> Mutation:
    """A random single mutation of the log whose rows are `rows`."""
    head = max(rows)
    kind = rng.choice(KINDS)
    if kind == "delete":
        position = rng.randrange(1, head)  # the newest event: see the truncation check
        return Mutation(kind, position, "deleted", {position: rows[position]},
                        {position: None})
    if kind == "swap":
        first, second = sorted(rng.sample(range(1, head + 1), 2))
        return Mutation(kind, first, f"with {second}", {p: rows[p] for p in (first, second)},
                        {first: {**rows[second], "position": first},
                         second: {**rows[first], "position": second}})
    position = rng.randrange(1, head + 1)
    row = rows[position]
    if kind in ("data", "metadata"):
        value, detail = _changed_json(rng, row[kind])
        column = kind
    elif kind == "time":
        column = rng.choice(("occurred_at", "recorded_at"))
        delta = timedelta(microseconds=rng.choice((1, 999, 10**6, 3600 * 10**6, 86400 * 10**6)))
        value = row[column] + (delta if rng.random() < 0.5 else -delta)
        detail = column
    elif kind == "type":
        column = "type"
        value = rng.choice([name for name in ("MilestoneWithdrawn", "RoleGranted",
                                              row["type"] + "d", row["type"].lower())
                            if name != row["type"]])
        detail = f"to {value}"
    else:
        column = rng.choice(ENVELOPE_COLUMNS)
        value = _changed_envelope(rng, column, row[column])
        detail = column
    assert value != row[column]
    return Mutation(kind, position, detail, {position: row},
                    {position: {**row, column: value}})


def _replace(store: EventStore, positions: Iterable[int], rows: Iterable[Row | None]) -> None:
    """Delete the events at `positions` and insert `rows` (None: nothing), in one transaction."""
    with store.engine.begin() as connection:
        connection.execute(events.delete().where(events.c.position.in_(list(positions))))
        kept: list[Row] = [row for row in rows if row is not None]
        if kept:
            connection.execute(events.insert(), kept)


def apply(store: EventStore, mutation: Mutation) -> None:
    if mutation.kind in ("delete", "swap"):
        _replace(store, mutation.rows, mutation.changed.values())
        return
    (position, row), = mutation.changed.items()
    assert row is not None
    with store.engine.begin() as connection:
        updated = connection.execute(
            events.update().where(events.c.position == position).values(
                **{key: value for key, value in row.items() if key != "position"}))
        assert updated.rowcount == 1


def undo(store: EventStore, mutation: Mutation) -> None:
    _replace(store, mutation.rows, mutation.rows.values())


def mutations(rows: dict[int, Row], count: int, seed: int) -> list[Mutation]:
    rng = random.Random(seed)
    return [make_mutation(rng, rows) for _ in range(count)]


def test_with_the_triggers_every_mutation_is_refused(store: EventStore, figures: Figures
                                                      ) -> None:
    """UPDATE and DELETE of events are refused by the database; the log stays intact."""
    write_log(store)
    rows = all_rows(store)
    refused: Counter[str] = Counter()
    for mutation in mutations(rows, scaled(MUTATIONS), seed=1):
        with pytest.raises(sa_exc.DBAPIError, match="append-only") as caught:
            apply(store, mutation)
        assert isinstance(translate(caught.value), ImmutableEvents)
        refused[mutation.kind] += 1
    assert all_rows(store) == rows
    report = store.verify()
    assert report.ok, report
    figures.add(events=len(rows), attempted=sum(refused.values()), refused=sum(refused.values()),
                by_kind=dict(sorted(refused.items())))
    print(figures)


@pytest.mark.slow
def test_without_the_triggers_verify_names_each_mutated_position(
    store: EventStore, figures: Figures
) -> None:
    """1,000 random single mutations are each reported by verify at their own position."""
    write_log(store)
    rows = all_rows(store)
    drop_immutability(store.engine)
    detected: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    planned = mutations(rows, scaled(MUTATIONS), seed=2)
    for number, mutation in enumerate(planned, start=1):
        apply(store, mutation)
        report = store.verify()
        assert not report.ok, f"not detected: {mutation.kind} at {mutation.position}"
        assert report.first_bad_position == mutation.position, (mutation, report)
        assert report.checked == mutation.position - 1
        detected[mutation.kind] += 1
        problems[_problem_kind(report.problem or "")] += 1
        undo(store, mutation)
        if number % 100 == 0:
            assert store.verify().ok, f"undoing mutation {number} left the log broken"
    assert all_rows(store) == rows
    assert store.verify().ok
    figures.add(events=len(rows), mutations=len(planned), detected=sum(detected.values()),
                at_the_right_position=sum(detected.values()),
                by_kind=dict(sorted(detected.items())),
                reported_as=dict(sorted(problems.items())))
    print(figures)


def _problem_kind(problem: str) -> str:
    for words, name in (("missing", "missing"), ("prev_hash", "prev_hash"),
                        ("content", "hash"), ("category", "category"), ("version", "version"),
                        ("recorded_at", "recorded_at"), ("read back", "unreadable")):
        if words in problem:
            return name
    return problem


def test_removing_the_newest_events_shows_against_an_anchored_head(
    store: EventStore, figures: Figures
) -> None:
    """A shorter log still chains, but the Merkle tree still covers the removed events, so
    verify names it; the head an auditor kept (export, snapshot) exposes it too. The tree
    keeps a row at each even position only, so removing just the newest event at an odd
    position leaves no row behind: only the kept head shows that. (Removing the tree's
    rows as well shows only against a kept checkpoint: test_witness.py.)"""
    write_log(store)
    anchor = store.head()
    drop_immutability(store.engine)
    rng = random.Random(3)
    checked = 0
    for _ in range(scaled(20)):
        removed = rng.randint(1, 5)
        rows = all_rows(store)
        tail = [rows[p] for p in sorted(rows)[-removed:]]
        _replace(store, [row["position"] for row in tail], [])
        report = store.verify()
        if any(row["position"] % 2 == 0 for row in tail):
            assert not report.ok
            assert "covers events that are not in the log" in str(report.problem)
        else:
            assert report.ok
        assert (report.head_position, report.head_hash) != (anchor.position, anchor.hash)
        assert report.head_position == anchor.position - removed
        _replace(store, [], tail)
        checked += 1
    report = store.verify()
    assert report.ok and report.head_hash == anchor.hash
    figures.add(truncations=checked)
    print(figures)

