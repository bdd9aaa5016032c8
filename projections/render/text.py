"""Sentences both renderers share: notes of corrections, item lines, the cut-off line."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from catalogue.periods import LONDON
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note
from projections.quarter.board import BoardRow
from projections.quarter.figures import long_date, number
from projections.quarter.overview import Restatement
from projections.quarter.report import MilestoneItem
from projections.quarter.updates import UpdateItem


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def note_text(note: Note) -> str:
    """``Corrected on 2 August 2018 by alice: wrong count (officers: 105 → 150).``, and the
    same for a retraction (what it retracted) and a reschedule (from and to)."""
    when = long_date(note.recorded_at.astimezone(LONDON).date())
    if note.kind == "EventRetracted":
        what = "; ".join(f"{name}: {_value(value)}"
                         for name, value in sorted(note.previous.items()))
        return f"Retracted on {when} by {note.actor}: {note.reason}" + (
            f" (was {what})." if what else ".")
    if note.kind == "MilestoneRescheduled":
        return (f"Rescheduled from {note.previous.get('due_quarter')} to "
                f"{note.changes.get('due_quarter')} on {when} by {note.actor}: {note.reason}.")
    changed = "; ".join(f"{name}: {_value(note.previous.get(name))} → {_value(value)}"
                        for name, value in sorted(note.changes.items()))
    return f"Corrected on {when} by {note.actor}: {note.reason} ({changed})."


def restatement_text(restated: Restatement, name: str) -> str:
    """``Total notifiable offences for 2017-18 restates 826,000 (released 19 April 2018).``"""
    released = long_date(date.fromisoformat(restated.released_on))
    return (f"{name} for {restated.period} restates {number(restated.value)} "
            f"(released {released}).")


def update_line(item: UpdateItem) -> str:
    """``3 April 2018 · Violent Crime Taskforce formed (Violent Crime Taskforce) · teams: 8``."""
    unit = item.unit_name or item.unit_id
    parts = [long_date(item.effective_date), f"{item.title} ({unit})"]
    parts += [f"{fact.name}: {fact.text}" for fact in item.facts]
    return " · ".join(parts)


def milestone_status(row: BoardRow) -> str:
    """The symbol for the three assessed statuses, else the status in words."""
    return row.symbol if row.symbol else f"({row.label})"


def milestone_lines(item: MilestoneItem) -> list[str]:
    """What is said of a milestone besides its progress text."""
    row = item.row
    lines = []
    if row.carried_over:
        lines.append(f"Carried over: due in {row.due_quarter}.")
    if row.narrative is None and row.status not in ("rescheduled", "withdrawn"):
        if row.last_report_quarter is not None and row.last_report_date is not None:
            lines.append(f"No progress reported for {row.quarter}; last reported for "
                         f"{row.last_report_quarter} as of {long_date(row.last_report_date)}.")
        else:
            lines.append(f"No progress reported for {row.quarter}.")
    return lines


def cutoff_text(cutoff: Cutoff, position: int) -> str:
    """``As recorded up to position 68; facts effective up to 30 June 2018.``"""
    known = f"As recorded up to position {position}"
    if cutoff.as_of is not None:
        known += f" (the log as of {cutoff.as_of.isoformat()})"
    if cutoff.effective is not None:
        return f"{known}; facts effective up to {long_date(cutoff.effective)}."
    return f"{known}."
