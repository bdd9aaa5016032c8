"""The dashboard's Jinja environment (autoescaped, strict) and the board's plain forms."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from projections.quarter.board import Board, BoardRow
from projections.render.json_text import json_text
from projections.render.visible import visible

HTMX = "htmx-2.0.4.min.js"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("opslog.service.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["htmx"] = HTMX
    env.filters["visible"] = visible
    env.filters["pretty"] = pretty
    return env


def pretty(value: Any) -> str:
    """JSON for reading: indented on lines of its own, its text as typed but for controls,
    bidi overrides and line separators, which JSON writes as ``\\u`` escapes (the template
    escapes it for HTML)."""
    return json_text(value, indent=2, sort_keys=True)


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def status_text(row: BoardRow) -> str:
    text = row.label
    if any(note.kind == "EventCorrected" for note in row.notes):
        text += " (corrected)"
    if row.evidence is not None:
        text += f" (flagged: {row.evidence})"
    return text


def due_text(row: BoardRow) -> str:
    return f"{row.due_quarter} (carried)" if row.carried_over else str(row.due_quarter)


def board_page(board: Board) -> str:
    """The board as one small HTML page (the API's ``text/html`` form)."""
    return render("board_page.html", board=board, status_text=status_text, due_text=due_text)


def board_markdown(board: Board) -> str:
    """The board as a Markdown table (the API's ``text/markdown`` form)."""
    lines = [f"# Milestones, {board.quarter.label}", "",
             "| milestone | title | owner | due | status |", "| --- | --- | --- | --- | --- |"]
    for row in board.rows:
        cells = (row.milestone_id, row.title, row.owner_name or row.owner_unit, due_text(row),
                 status_text(row))
        lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    lines += ["", _md_cell(board.summary), ""]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    escaped = visible(text).replace("\\", "\\\\").replace("|", "\\|")
    for mark in "*_`[]<>#":
        escaped = escaped.replace(mark, "\\" + mark)
    return escaped.replace("\n", " ")
