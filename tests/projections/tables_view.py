"""Reading the persisted board back, for comparing it with the folded one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalogue import Quarter
from eventstore import EventStore
from projections.fold.cutoff import Cutoff
from projections.fold.records import quarter_of_number, version_keys
from projections.fold.state import fold
from projections.quarter.board import build_board
from projections.readmodels.batch import board_values
from projections.readmodels.loading import checkpoint
from projections.readmodels.tables import board, facts


def live_generation(store: EventStore) -> tuple[int, int, int | None]:
    """(generation, position, horizon) of the live read models."""
    with store.engine.connect() as connection:
        found = checkpoint(connection)
    assert found is not None
    return found.generation, found.position, found.horizon


def board_table(store: EventStore, generation: int) -> list[dict[str, Any]]:
    """The persisted board rows, without their generation, in a stable order."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(board).where(board.c.generation == generation)
                                  .order_by(board.c.quarter_number, board.c.milestone_id))
        return [{key: value for key, value in row._mapping.items() if key != "generation"}
                for row in rows]


def facts_table(store: EventStore, generation: int) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(facts).where(facts.c.generation == generation)
                                  .order_by(facts.c.event_id, facts.c.known_from))
        return [{key: value for key, value in row._mapping.items() if key != "generation"}
                for row in rows]


def folded_board_rows(store: EventStore, horizon: int | None,
                      position: int | None = None) -> list[dict[str, Any]]:
    """What the board table should hold: every quarter's board up to the horizon."""
    if horizon is None:
        return []
    state = fold(store.read_all(to_position=position))
    quarters = [version_keys(record, version).quarter for record in state.records.values()
                for version in record.versions]
    first = min(number for number in quarters if number is not None)
    rows = []
    for number in range(first, horizon + 1):
        quarter: Quarter = quarter_of_number(number)
        for row in build_board(state, quarter, Cutoff()).rows:
            values = board_values(0, row)
            del values["generation"]
            rows.append(values)
    return sorted(rows, key=lambda row: (row["quarter_number"], row["milestone_id"]))
