"""Showing log entries: rich tables for people, JSON and JSON Lines for programs.

Tables are printed a chunk of rows at a time (the header once), so showing a long log
never holds it all in memory; JSON is streamed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from eventstore.canonical import format_time
from opslog.audit.log_view import LogEntry
from projections.render.json_text import json_text
from projections.render.visible import visible

FORMATS = ("table", "json", "jsonl")
LOG_COLUMNS = (
    "position", "recorded", "effective", "stream", "version", "type", "actor", "unit",
    "channel", "summary",
)
HISTORY_COLUMNS = ("version", "recorded", "effective", "type", "actor", "channel", "summary")
CHUNK = 500

_CELLS: dict[str, Callable[[LogEntry], str]] = {
    "position": lambda entry: str(entry.position),
    "recorded": lambda entry: short_time(entry.recorded_at),
    "effective": lambda entry: short_time(entry.occurred_at),
    "stream": lambda entry: entry.stream_id,
    "version": lambda entry: str(entry.version),
    "type": lambda entry: entry.type,
    "actor": lambda entry: entry.actor,
    "unit": lambda entry: entry.unit,
    "channel": lambda entry: entry.channel or "-",
    "summary": lambda entry: entry.summary,
    "note": lambda entry: entry.note or "",
    "reported": lambda entry: "" if entry.reported_on is None else entry.reported_on.isoformat(),
}
_RIGHT = frozenset({"position", "version"})
_FIXED = frozenset({"position", "recorded", "effective", "version", "reported"})


def short_time(moment: datetime) -> str:
    """To the second, for reading; JSON output keeps the canonical microseconds."""
    return format_time(moment)[:19].replace("T", " ") + "Z"


def as_record(entry: LogEntry) -> dict[str, Any]:
    """The JSON form of an entry: the table's facts plus ids, payload and metadata."""
    record: dict[str, Any] = {
        "position": entry.position,
        "event_id": entry.event_id,
        "stream_id": entry.stream_id,
        "version": entry.version,
        "type": entry.type,
        "schema_version": entry.schema_version,
        "recorded_at": format_time(entry.recorded_at),
        "occurred_at": format_time(entry.occurred_at),
        "actor": entry.actor,
        "unit": entry.unit,
        "channel": entry.channel,
        "summary": entry.summary,
        "data": entry.data,
        "metadata": entry.metadata,
    }
    if entry.note is not None:
        record["note"] = entry.note
    if entry.reported_on is not None:
        record["reported_on"] = entry.reported_on.isoformat()
    return record


def write_jsonl(entries: Iterable[LogEntry], write: Callable[[str], None]) -> int:
    """One JSON object per line; returns how many."""
    count = 0
    for entry in entries:
        write(_dumps(as_record(entry)) + "\n")
        count += 1
    return count


def write_json(entries: Iterable[LogEntry], write: Callable[[str], None]) -> int:
    """One JSON array, streamed an element at a time; returns how many."""
    count = 0
    write("[")
    for entry in entries:
        write(("\n" if count == 0 else ",\n") + _dumps(as_record(entry)))
        count += 1
    write("\n]\n" if count else "]\n")
    return count


def print_table(entries: Iterable[LogEntry], console: Console, columns: Sequence[str],
                chunk: int = CHUNK) -> int:
    """Rows as rich tables of `chunk` rows, the header on the first; returns how many."""
    count = 0
    for rows in _chunks(iter(entries), chunk):
        table = _table(columns, show_header=count == 0)
        for entry in rows:
            table.add_row(*(_cell(column, entry) for column in columns))
        console.print(table)
        count += len(rows)
    return count


def _cell(column: str, entry: LogEntry) -> Text:
    """Plain text (a payload's ``[bold]`` is not markup, no escape sequence acts), one line,
    cut with an ellipsis."""
    return Text(visible(_CELLS[column](entry)), no_wrap=True, overflow="ellipsis")


def _table(columns: Sequence[str], show_header: bool) -> Table:
    """Positions, times and versions keep their width; text columns give way, widest first."""
    table = Table(box=box.SIMPLE_HEAD, show_header=show_header, pad_edge=False,
                  show_edge=False)
    for column in columns:
        table.add_column(
            column,
            justify="right" if column in _RIGHT else "left",
            no_wrap=column in _FIXED,
        )
    return table


def _chunks(entries: Iterator[LogEntry], size: int) -> Iterator[list[LogEntry]]:
    while rows := [entry for _, entry in zip(range(size), entries, strict=False)]:
        yield rows


def _dumps(value: dict[str, Any]) -> str:
    return json_text(value, separators=(",", ":"))
