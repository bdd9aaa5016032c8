"""Sentences both renderers share: notes of corrections, item lines, the cut-off line.

Notes and the cut-off line have two wordings: the public one, read like the published
update, and the audit one (``opslog report --audit``) with positions and actor ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from catalogue import STATUS_LABELS, Quarter
from catalogue.periods import LONDON
from catalogue.precision import parse_precise
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note
from projections.quarter.board import BoardRow
from projections.quarter.figures import long_date, number, quarter_words
from projections.quarter.overview import Restatement
from projections.quarter.report import Covering, MilestoneItem
from projections.quarter.updates import UpdateItem

NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
"""An indicator's value as its payload holds it: a decimal as text."""
DATES = frozenset({"effective_date", "released_on", "as_of"})
"""Fields whose stored value is a date at its precision (``2018-04`` is April 2018)."""
QUARTERS = frozenset({"quarter", "due_quarter", "from_quarter", "to_quarter"})
"""Fields whose stored value is a quarter (``2018-19-Q1`` is Q1 2018-19)."""
UNITS = frozenset({"unit_id", "owner_unit", "taskforce_unit", "live_unit", "parent_unit",
                   "unit"})
"""Fields whose stored value is a unit's id: a reader knows the unit by its name."""
ERASED = re.compile(r"\[erased on (\d{4}-\d{2}-\d{2}) by [^\s:]+: (.*)\]", re.DOTALL)
"""What stands in an erased value's place (`catalogue.erasure.placeholder`)."""
NO_UNITS: Mapping[str, str] = {}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _plain_value(name: str, value: Any, units: Mapping[str, str] = NO_UNITS) -> str | None:
    """A corrected value in a reader's words: a status's label, a long date, a quarter and
    a unit as a reader names them, a number with its thousands; None for a list or record,
    which a sentence cannot hold."""
    if name == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value.replace("_", " "))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return number(value if isinstance(value, int) else Decimal(str(value)))
    if name == "value" and isinstance(value, str) and NUMBER.fullmatch(value):
        return number(Decimal(value))
    if name in UNITS and isinstance(value, str):
        return units.get(value, value)
    if name in QUARTERS and isinstance(value, str):
        try:
            return quarter_words(Quarter.parse(value))
        except ValueError:
            return value
    if isinstance(value, str):
        try:
            return long_date(parse_precise(value) if name in DATES else date.fromisoformat(value))
        except ValueError:
            return public_text(value)
    return None if isinstance(value, list | dict) else _value(value)


def _plain_change(name: str, before: Any, after: Any, units: Mapping[str, str]) -> str:
    label = name.replace("_", " ")
    old, new = _plain_value(name, before, units), _plain_value(name, after, units)
    if old is None or new is None:
        return f"{label} amended"
    return f"{label}: {old} → {new}"


def _plain_was(name: str, value: Any, units: Mapping[str, str]) -> str | None:
    """One value a retraction took away: ``quarter: Q1 2018-19``; an update by its own
    words (``'Girls Allowed' event, June 2018``)."""
    text = _plain_value(name, value, units)
    if text is None or name == "update":
        return text
    return f"{name.replace('_', ' ')}: {text}"


def public_text(text: str) -> str:
    """Recorded text as the public reads it: an erased value's placeholder says when and
    why, in a long date, without the account that erased it; any other text as it is."""
    erased = ERASED.fullmatch(text)
    if erased is None:
        return text
    day = long_date(date.fromisoformat(erased.group(1)))
    return f"[erased on {day}: {erased.group(2)}]"


def note_text(note: Note, audit: bool = False, units: Mapping[str, str] = NO_UNITS) -> str:
    """What a correction, retraction or reschedule note says, for the public or an auditor.

    Public: ``Corrected on 2 August 2018 by Estates: wrong count (officers: 105 → 150).``,
    by the name of the unit the actor recorded for (`units`: names by id), where it
    records for one; values in plain words (``on track``, not ``on_track``; ``Q1 2018-19``;
    a unit's name), no actor id. Audit: ``Corrected on 2 August 2018 by alice (direct
    alice@ops-1): wrong count (officers: 105 → 150).``, the actor, the channel where one
    was recorded, and the values as recorded. A retraction says what it retracted, a
    reschedule from and to which quarter.
    """
    when = long_date(note.recorded_at.astimezone(LONDON).date())
    if audit:
        by = f" by {note.actor}" + (f" ({note.channel})" if note.channel else "")
    else:
        by = f" by {units[note.unit]}" if note.unit in units else ""
    reason = note.reason if audit else public_text(note.reason)
    if note.kind == "EventRetracted":
        if audit:
            what = "; ".join(f"{name}: {_value(value)}"
                             for name, value in sorted(note.previous.items()))
        else:
            what = "; ".join(text for name, value in sorted(note.previous.items())
                             if (text := _plain_was(name, value, units)) is not None)
        return f"Retracted on {when}{by}: {reason}" + (f" (was {what})." if what else ".")
    if note.kind == "MilestoneRescheduled":
        moved = [note.previous.get("due_quarter"), note.changes.get("due_quarter")]
        if not audit:
            moved = [_plain_value("due_quarter", quarter, units) for quarter in moved]
        return f"Rescheduled from {moved[0]} to {moved[1]} on {when}{by}: {reason}."
    if audit:
        changed = "; ".join(f"{name}: {_value(note.previous.get(name))} → {_value(value)}"
                            for name, value in sorted(note.changes.items()))
    else:
        changed = "; ".join(_plain_change(name, note.previous.get(name), value, units)
                            for name, value in sorted(note.changes.items()))
    return f"Corrected on {when}{by}: {reason} ({changed})."


def restatement_text(restated: Restatement, name: str, audit: bool = False) -> str:
    """``Total notifiable offences: 2017-18 restated from 827,225 to 829,418 in the release
    of 25 April 2019, Recorded crime 2018-19 (boundary changes; by Performance Unit;
    recorded on 26 April 2019).`` Who is the unit's name where there is one; the actor id
    only for auditors. A value recorded without a reason says only what replaced what."""
    earlier = number(restated.value)
    release = long_date(parse_precise(restated.to_released_on))
    said = [restated.reason or "no reason recorded"]
    who = [part for part in (restated.by, restated.actor if audit else None) if part]
    if who:
        said.append("by " + (f"{who[0]} ({who[1]})" if len(who) == 2 else who[0]))
    said.append(f"recorded on {long_date(date.fromisoformat(restated.recorded_on))}")
    return (f"{name}: {restated.period} restated from {earlier} to "
            f"{number(restated.to_value)} in the release of {release}, "
            f"{restated.to_publication} ({'; '.join(said)}).")


def update_line(item: UpdateItem) -> str:
    """``3 April 2018 · Violent Crime Taskforce formed (Violent Crime Taskforce) · teams: 8``."""
    unit = item.unit_name or item.unit_id
    parts = [long_date(item.effective_date), f"{item.title} ({unit})"]
    parts += [f"{fact.name}: {fact.text}" for fact in item.facts]
    return " · ".join(parts)


def milestone_status(row: BoardRow) -> str:
    """The status in words: text has no pictures, and emoji need a font to show."""
    return f"({row.label})"


def milestone_lines(item: MilestoneItem) -> list[str]:
    """What is said of a milestone besides its progress text."""
    row = item.row
    lines = []
    if row.carried_over:
        lines.append(f"Carried over: due in {quarter_words(row.due_quarter)}.")
    if row.evidence is not None:
        lines.append(f"Flagged: {row.evidence}.")
    if row.narrative is None and row.status not in ("rescheduled", "withdrawn"):
        quarter = quarter_words(row.quarter)
        if row.last_report_quarter is not None and row.last_report_date is not None:
            lines.append(f"No progress reported for {quarter}; last reported for "
                         f"{quarter_words(row.last_report_quarter)} as of "
                         f"{long_date(row.last_report_date)}.")
        else:
            lines.append(f"No progress reported for {quarter}.")
    return lines


def covered_text(covered: Covering) -> str:
    """``Covered by signed checkpoint 3 (opslog.example/log): tree size 120, root 9f2c…``."""
    made = covered.made_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (f"Covered by signed checkpoint {covered.checkpoint_id} ({covered.origin}): "
            f"tree size {covered.size}, root {covered.root}, made {made}.")


def cutoff_text(cutoff: Cutoff, position: int, audit: bool = False) -> str:
    """Audit: ``As recorded up to position 68; facts effective up to 30 June 2018.``
    Public: ``As recorded by 19 July 2018; facts effective up to 30 June 2018.``, each
    part only when the question asked it, else nothing: positions are the log's, not the
    reader's."""
    if not audit:
        parts = []
        if cutoff.as_of is not None:
            parts.append(f"as recorded by {long_date(cutoff.as_of.astimezone(LONDON).date())}")
        if cutoff.reported is not None:
            parts.append(f"as reported by {long_date(cutoff.reported)}")
        if cutoff.effective is not None:
            parts.append(f"facts effective up to {long_date(cutoff.effective)}")
        said = "; ".join(parts)
        return f"{said[:1].upper()}{said[1:]}." if said else ""
    known = f"As recorded up to position {position}"
    if cutoff.as_of is not None:
        known += f" (the log as of {cutoff.as_of.isoformat()})"
    if cutoff.reported is not None:
        known += f", as its sources reported it by {long_date(cutoff.reported)}"
    if cutoff.effective is not None:
        return f"{known}; facts effective up to {long_date(cutoff.effective)}."
    return f"{known}."
