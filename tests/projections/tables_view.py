"""Reading the persisted board back, for comparing it with the folded one."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from catalogue import Quarter
from eventstore import EventStore
from projections.fold.cutoff import Cutoff
from projections.fold.records import quarter_of_number, version_keys
from projections.fold.state import fold
from projections.quarter.board import BoardRow, build_board
from projections.readmodels.loading import checkpoint
from projections.readmodels.rows import altered_board_row, notes_text
from projections.readmodels.tables import board, facts


def live_generation(store: EventStore) -> tuple[int, int, int | None]:
    """(generation, position, horizon) of the live read models."""
    with store.engine.connect() as connection:
        found = checkpoint(connection)
    assert found is not None
    return found.generation, found.position, found.horizon


def board_table(store: EventStore, generation: int) -> list[dict[str, Any]]:
    """The persisted board rows, without their generation and digest, in a stable order
    (each row's digest checked against its content on the way)."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(board).where(board.c.generation == generation)
                                  .order_by(board.c.quarter_number, board.c.milestone_id))
        kept = []
        for row in rows.mappings():
            assert altered_board_row(row) is None
            kept.append({key: value for key, value in row.items()
                         if key not in ("generation", "row_digest")})
        return kept


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
        rows.extend(stored_form(row) for row in build_board(state, quarter, Cutoff()).rows)
    return sorted(rows, key=lambda row: (row["quarter_number"], row["milestone_id"]))


def _text(quarter: Quarter | None) -> str | None:
    return None if quarter is None else str(quarter)


def stored_form(row: BoardRow) -> dict[str, Any]:
    """The board table's row for a folded `BoardRow` (without its generation), spelt out
    column by column here rather than taken from the runner's own conversion, so that a
    column the runner fills wrongly shows as a difference."""
    theme, topic, milestone = row.sort_key
    return {
        "quarter_number": row.quarter.start_year * 4 + row.quarter.number - 1,
        "milestone_id": row.milestone_id,
        "quarter": str(row.quarter),
        "title": row.title,
        "theme_number": row.theme_number,
        "theme_title": row.theme_title,
        "topic_id": row.topic_id,
        "topic_title": row.topic_title,
        "owner_unit": row.owner_unit,
        "owner_name": row.owner_name,
        "due_quarter": str(row.due_quarter),
        "carried_over": row.carried_over,
        "status": row.status,
        "symbol": "",
        "rescheduled_to": _text(row.rescheduled_to),
        "last_report_quarter": _text(row.last_report_quarter),
        "last_report_date": row.last_report_date,
        "source_position": row.source.position,
        "source_event_id": row.source.event_id,
        "corrections": len(row.notes),
        "sort_theme": theme,
        "sort_topic": topic,
        "sort_milestone": milestone,
        "source_type": row.source.type,
        "source_recorded_at": row.source.recorded_at,
        "notes": notes_text(row.notes),
        "narrative": row.narrative,
        "style": json.dumps({"category": row.category, "colour": row.colour, "label":
                             row.status_style.label, "status": row.status_style.status,
                             "symbol": row.symbol}, separators=(",", ":"), ensure_ascii=False),
        "evidence": row.evidence,
    }
