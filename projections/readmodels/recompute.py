"""The full check of the read models: make them again from the log and compare, row by row.

The live generation is recomputed by the runner itself, from position 1 to the live
checkpoint, into a scratch SQLite database (a rebuild: the log folded in memory, each table
written once); every table is then compared with the stored
one by its key, ignoring only the generation number and when a quarantine was written.
Whatever was edited, inserted or deleted after the runner wrote it shows as a named row,
however its digest was made to look. `opslog verify` runs it; answers make only the cheap
checks (`binding`, and each facts row's digest as it is read).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore import EventStore
from projections.readmodels.binding import checkpoint_problem
from projections.readmodels.loading import checkpoint
from projections.readmodels.runner import Runner
from projections.readmodels.tables import board, checkpoints, facts, metadata, quarantine, spans

TABLES = (facts, board, spans, quarantine)
IGNORED = ("generation", "quarantined_at")
SHOWN = 5
"""Differences named per table; the rest are counted."""


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table against the log: its rows, and what differs (the first few, named)."""

    table: str
    rows: int
    differing: int
    named: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReadModelCheck:
    generation: int
    position: int
    binding: str | None
    """Why the checkpoint is not bound to the log, or None."""
    tables: tuple[TableCheck, ...]

    @property
    def ok(self) -> bool:
        return self.binding is None and not any(table.differing for table in self.tables)


def check_read_models(store: EventStore) -> ReadModelCheck | None:
    """Recompute the live read models from the log and compare; None when none are built."""
    with store.engine.connect() as connection:
        if not sa.inspect(connection).has_table(checkpoints.name):
            return None
        live = checkpoint(connection)
        if live is None:
            return None
        binding = checkpoint_problem(connection, live)
        stored = {table.name: _rows(connection, table, live.generation) for table in TABLES}
    with tempfile.TemporaryDirectory(prefix="opslog-recompute-") as folder:
        scratch = sa.create_engine(f"sqlite:///{Path(folder) / 'read-models.db'}")
        try:
            metadata.create_all(scratch)
            made = Runner(store, target=scratch).rebuild(to_position=live.position)
            with scratch.connect() as connection:
                remade = {table.name: _rows(connection, table, made.generation)
                          for table in TABLES}
        finally:
            scratch.dispose()
    tables = tuple(_compare(table, stored[table.name], remade[table.name]) for table in TABLES)
    return ReadModelCheck(live.generation, live.position, binding, tables)


Key = tuple[Any, ...]


def _key_columns(table: sa.Table) -> list[str]:
    return [column.name for column in table.primary_key.columns if column.name not in IGNORED]


def _rows(connection: Connection, table: sa.Table, generation: int) -> dict[Key, dict[str, Any]]:
    keys = _key_columns(table)
    found = {}
    for row in connection.execute(sa.select(table).where(table.c.generation == generation)
                                  ).mappings():
        values = {name: value for name, value in row.items() if name not in IGNORED}
        found[tuple(values[name] for name in keys)] = values
    return found


def _compare(table: sa.Table, stored: dict[Key, dict[str, Any]],
             remade: dict[Key, dict[str, Any]]) -> TableCheck:
    keys = _key_columns(table)
    named: list[str] = []
    differing = 0
    for key in sorted(stored.keys() | remade.keys(), key=repr):
        problem = _difference(stored.get(key), remade.get(key))
        if problem is None:
            continue
        differing += 1
        if len(named) < SHOWN:
            where = ", ".join(f"{name}={value}" for name, value in zip(keys, key, strict=True))
            named.append(f"{table.name} row ({where}): {problem}")
    return TableCheck(table.name, len(stored), differing, tuple(named))


def _difference(stored: dict[str, Any] | None, remade: dict[str, Any] | None) -> str | None:
    if stored is None:
        return "missing (the log makes it)"
    if remade is None:
        return "not made by the log"
    changed = [name for name in stored if stored[name] != remade.get(name)]
    if not changed:
        return None
    return "; ".join(_changed(name, stored[name], remade.get(name)) for name in changed)


def _changed(name: str, stored: object, remade: object) -> str:
    if isinstance(stored, str) and isinstance(remade, str):
        at = next((index for index, (left, right) in enumerate(zip(stored, remade, strict=False))
                   if left != right), min(len(stored), len(remade)))
        start = max(at - 20, 0)
        return (f"{name} differs at character {at}: stored {_clip(stored[start:at + 40])}, "
                f"the log gives {_clip(remade[start:at + 40])}")
    return f"{name} is {_clip(stored)}, the log gives {_clip(remade)}"


def _clip(value: object, width: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def summary(check: ReadModelCheck) -> Iterable[str]:
    """What was checked and what differs, one line each."""
    yield (f"read models: generation {check.generation} at position {check.position}, "
           "recomputed from the log")
    if check.binding is not None:
        yield f"read models DIFFER: {check.binding}"
    for table in check.tables:
        if table.differing:
            yield f"read models DIFFER: {table.table}: {table.differing} of {table.rows} rows"
            yield from (f"  {line}" for line in table.named)
        else:
            yield f"  {table.table}: {table.rows} rows match"
