"""The milestone board as a terminal table, for `status` and the demo."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from opslog.cli.output import stdout_console
from projections.quarter.board import Board
from projections.render.visible import visible


def print_board(board: Board) -> None:
    """The board as a rich table with its summary line; recorded text shown literally."""
    console = stdout_console()
    table = Table(title=f"Milestones, {board.quarter.label}", title_justify="left")
    for heading in ("milestone", "title", "theme / topic", "owner", "due", "status",
                    "last report"):
        table.add_column(heading)
    for row in board.rows:
        theme = f"{row.theme_number}- {row.theme_title}" if row.theme_number else ""
        due = f"{row.due_quarter} (carried)" if row.carried_over else str(row.due_quarter)
        last = (f"{row.last_report_quarter} {row.last_report_date}"
                if row.last_report_quarter else "")
        status_text = row.label
        if any(note.kind == "EventCorrected" for note in row.notes):
            status_text += " (corrected)"
        if row.evidence is not None:
            status_text += " (flagged)"
        table.add_row(*(_cell(text) for text in (
            row.milestone_id, row.title, f"{theme} / {row.topic_title or row.topic_id}",
            row.owner_name or row.owner_unit, due, status_text, last)))
    console.print(table)
    console.print(_cell(board.summary), highlight=False)
    for row in board.flagged:
        console.print(_cell(f"{row.milestone_id} flagged: {row.evidence}"), highlight=False)


def _cell(text: str) -> Text:
    """Recorded text as it was typed: ``[phase 2]`` is not rich markup, no escape acts."""
    return Text(visible(text))
