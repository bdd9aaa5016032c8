"""The board and the report as plain data (for JSON) and the board as CSV rows.

Every status and figure names the event it came from: ``{"position": 41, "event_id": …}``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from catalogue import Quarter
from catalogue.precision import stored_form
from eventstore.canonical import format_time
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note, Source
from projections.fold.state import Gap
from projections.quarter.board import Board, BoardRow, quarter_name
from projections.quarter.overview import Figure, OverviewParagraph
from projections.quarter.report import Chart, MilestoneItem, Report
from projections.render.cells import cell_text
from projections.render.json_text import json_text
from projections.render.text import note_text


def plain(value: Any) -> Any:
    """Dataclasses, quarters, dates and decimals as JSON-ready values."""
    if isinstance(value, Quarter):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return stored_form(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    return value


def source_form(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"position": source.position, "event_id": source.event_id, "type": source.type,
            "recorded_at": format_time(source.recorded_at)}


def note_form(note: Note) -> dict[str, Any]:
    return {**plain(note), "source": source_form(note.source), "text": note_text(note, audit=True)}


def cutoff_form(cutoff: Cutoff, position: int) -> dict[str, Any]:
    form: dict[str, Any] = {
        "position": position,
        "as_of": format_time(cutoff.as_of) if cutoff.as_of else None,
        "effective_at": cutoff.effective.isoformat() if cutoff.effective else None,
    }
    if cutoff.reported is not None:  # only when asked: other answers keep their bytes
        form["as_reported"] = cutoff.reported.isoformat()
    return form


def row_form(row: BoardRow) -> dict[str, Any]:
    return {
        "milestone_id": row.milestone_id,
        "title": row.title,
        "theme": {"number": row.theme_number, "title": row.theme_title},
        "topic": {"id": row.topic_id, "title": row.topic_title},
        "owner": {"id": row.owner_unit, "name": row.owner_name},
        "due_quarter": str(row.due_quarter),
        "carried_over": row.carried_over,
        "status": row.status,
        "symbol": row.symbol,
        "label": row.label,
        "colour": row.colour,
        "category": row.category,
        "evidence": row.evidence,
        "rescheduled_to": str(row.rescheduled_to) if row.rescheduled_to else None,
        "last_report": None if row.last_report_quarter is None else {
            "quarter": str(row.last_report_quarter),
            "date": row.last_report_date.isoformat() if row.last_report_date else None,
        },
        "source": source_form(row.source),
        "corrections": [note_form(note) for note in row.notes],
    }


def board_form(board: Board) -> dict[str, Any]:
    return {
        "quarter": str(board.quarter),
        "cutoff": cutoff_form(board.cutoff, board.position),
        "summary": {"text": board.summary, "total": len(board.rows),
                    "planned": board.planned,
                    "carried_over": sum(board.carried_from.values()),
                    "carried_from": {str(quarter): count
                                     for quarter, count in board.carried_from.items()},
                    **board.counts,
                    "categories": board.categories,
                    "flagged": len(board.flagged)},
        "scale": {"id": board.scale.scale_id, "name": board.scale.name,
                  "statuses": [plain(status) for status in board.scale.statuses]},
        "milestones": [row_form(row) for row in board.rows],
        **gaps_form(board.gaps),
    }


def figure_form(figure: Figure) -> dict[str, Any]:
    return {
        "indicator_id": figure.indicator_id,
        "name": figure.name,
        "measure": figure.measure,
        "label": figure.label,
        "from": {"period": figure.from_period, "value": plain(figure.before),
                 "source": source_form(figure.before_source)},
        "to": {"period": figure.to_period, "value": plain(figure.after),
               "source": source_form(figure.after_source)},
        "change": plain(figure.change),
        "text": figure.text,
        "corrections": [note_form(note) for note in figure.notes],
        "restated": [{**plain(item), "source": source_form(item.source),
                      "to_source": source_form(item.to_source)}
                     for item in figure.restated],
    }


def _paragraph(paragraph: OverviewParagraph) -> dict[str, Any]:
    return {"text": paragraph.text, "figures": [figure_form(item) for item in paragraph.figures]}


def _item(item: Any) -> dict[str, Any]:
    if isinstance(item, MilestoneItem):
        return {"kind": "milestone", "heading": item.heading, **row_form(item.row),
                "narrative": item.row.narrative, "updates": [_item(update)
                                                             for update in item.updates]}
    return {"kind": "update", **plain(item), "source": source_form(item.source),
            "notes": [note_form(note) for note in item.notes]}


def report_form(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "quarter": str(report.quarter),
        "period": report.period,
        "cutoff": cutoff_form(report.cutoff, report.position),
        "introduction": list(report.introduction),
        "overview": {
            "heading": report.overview_heading,
            "paragraphs": [_paragraph(paragraph) for paragraph in report.overview],
            "source": source_form(report.overview_source),
            "corrections": [note_form(note) for note in report.overview_notes],
        },
        "themes": [
            {"number": theme.number, "title": theme.title, "source": source_form(theme.source),
             "topics": [{"id": topic.topic_id, "title": topic.title,
                         "source": source_form(topic.source),
                         "items": [_item(item) for item in topic.items]}
                        for topic in theme.topics]}
            for theme in report.themes
        ],
        "board": board_form(report.board),
        "indicators": [
            {"id": chart.indicator_id, "name": chart.name, "measure": chart.measure,
             "source": source_form(chart.source),
             "values": [{"period": point.period, "value": str(point.value),
                         "released_on": stored_form(point.released_on),
                         "source": source_form(point.source)} for point in chart.points]}
            for chart in report.charts
        ],
        "legend": [plain(status) for status in report.legend],
        **gaps_form(report.gaps),
    }


def gaps_form(gaps: Sequence[Gap]) -> dict[str, Any]:
    """``{"gaps": [...]}`` when events could not be read, else nothing (no key at all)."""
    if not gaps:
        return {}
    return {"gaps": [{"position": gap.position, "event_id": gap.event_id, "type": gap.type,
                      "reason": gap.reason, "text": str(gap)} for gap in gaps]}


def to_json(form: dict[str, Any]) -> str:
    return json_text(form, indent=2) + "\n"


CSV_COLUMNS = ("quarter", "milestone_id", "title", "theme", "topic", "owner", "due_quarter",
               "carried_over", "status", "symbol", "last_report_quarter", "last_report_date",
               "source_position", "source_event_id", "corrections", "carried_from",
               "category", "evidence")


Cell = str | int | Decimal
"""A cell of a table export: text, or a number that stays a number."""


def board_rows(board: Board) -> list[list[Cell]]:
    """The board as rows of `CSV_COLUMNS`, for the CSV and the spreadsheets."""
    return [[
        str(row.quarter), row.milestone_id, row.title,
        f"{row.theme_number}- {row.theme_title}" if row.theme_number else "",
        row.topic_title or row.topic_id, row.owner_name or row.owner_unit,
        str(row.due_quarter), "yes" if row.carried_over else "no", row.label, row.symbol,
        str(row.last_report_quarter or ""),
        row.last_report_date.isoformat() if row.last_report_date else "",
        row.source.position, row.source.event_id,
        " ".join(note_text(note, audit=True) for note in row.notes),
        quarter_name(board.quarter, row.due_quarter) if row.carried_over else "",
        row.category, row.evidence or "",
    ] for row in board.rows]


INDICATOR_COLUMNS = ("indicator_id", "name", "measure", "period", "value", "released_on",
                     "source_position", "source_event_id")


def indicator_rows(charts: tuple[Chart, ...]) -> list[list[Cell]]:
    """Every indicator value the report draws, one row each, in chart and period order."""
    return [[chart.indicator_id, chart.name, chart.measure, point.period, point.value,
             stored_form(point.released_on), point.source.position, point.source.event_id]
            for chart in charts for point in chart.points]


def csv_cell(value: Cell) -> str | int | Decimal:
    """Text as `cell_text` writes it (no formula, no control character); numbers as they
    are."""
    return cell_text(value) if isinstance(value, str) else value


def board_csv(board: Board) -> str:
    """RFC 4180 CSV: lines end in CRLF, so a field holding a lone carriage return is quoted
    (with a bare LF ending, Python's writer leaves it unquoted and breaks the row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in board_rows(board):
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
