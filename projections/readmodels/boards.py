"""A quarter's board read whole from ``milestone_board``, the board the runner keeps.

The runner writes each quarter's board, up to its horizon, as the log says at its
checkpoint, so the table answers exactly one question per quarter: the board at the
checkpoint's position with no effective date. For that question it is one indexed read
instead of loading and viewing the facts. Any other question — another position, an
effective date, a quarter past the horizon, or rows written before they were kept whole
(revisions pj0005 and pj0008) — gets None, and the caller builds the board from the facts.
A row that does not match its digest raises `ReadModelDrift`: the caller says so and
answers from the log.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import Quarter
from projections.errors import ReadModelDrift
from projections.fold.cutoff import Cutoff
from projections.fold.records import Source, quarter_number
from projections.quarter.board import Board, BoardRow
from projections.readmodels.loading import Checkpoint, quarantined, scale_at
from projections.readmodels.rows import altered_board_row, notes_from_text, style_from_text
from projections.readmodels.tables import board as board_table


def stored_board(connection: Connection, live: Checkpoint, quarter: Quarter,
                 cutoff: Cutoff) -> Board | None:
    """`quarter`'s board at `cutoff` from the table, or None when the table does not hold
    that answer."""
    number = quarter_number(quarter)
    if (cutoff.effective is not None or cutoff.position != live.position
            or live.horizon is None or number > live.horizon):
        return None
    rows = list(connection.execute(
        sa.select(board_table)
        .where(board_table.c.generation == live.generation,
               board_table.c.quarter_number == number)
        .order_by(board_table.c.sort_theme, board_table.c.sort_topic,
                  board_table.c.sort_milestone)).mappings())
    if any(row["source_type"] is None or row["row_digest"] is None or row["style"] is None
           for row in rows):
        return None
    for row in rows:
        if (altered := altered_board_row(row)) is not None:
            raise ReadModelDrift(altered)
    return Board(quarter, cutoff, live.position, tuple(_row(row, quarter) for row in rows),
                 tuple(quarantined(connection, live.generation, live.position)),
                 scale_at(connection, live.generation, live.position, quarter))


def _row(row: Any, quarter: Quarter) -> BoardRow:
    return BoardRow(
        quarter=quarter,
        milestone_id=row["milestone_id"],
        title=row["title"],
        theme_number=row["theme_number"],
        theme_title=row["theme_title"],
        topic_id=row["topic_id"],
        topic_title=row["topic_title"],
        owner_unit=row["owner_unit"],
        owner_name=row["owner_name"],
        due_quarter=Quarter.parse(row["due_quarter"]),
        carried_over=bool(row["carried_over"]),
        status=row["status"],
        rescheduled_to=_quarter(row["rescheduled_to"]),
        last_report_quarter=_quarter(row["last_report_quarter"]),
        last_report_date=row["last_report_date"],
        narrative=row["narrative"],
        source=Source(row["source_position"], row["source_event_id"], row["source_type"],
                      row["source_recorded_at"]),
        notes=notes_from_text(row["notes"]),
        sort_key=(row["sort_theme"], row["sort_topic"], row["sort_milestone"]),
        style=style_from_text(row["style"]),
        evidence=row["evidence"],
    )


def _quarter(text: str | None) -> Quarter | None:
    return None if text is None else Quarter.parse(text)
