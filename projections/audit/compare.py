"""What differs between two reports of one quarter, such as the published one and today's.

Milestones are matched by id (on or off the board, status, progress text, title, due
quarter), key figures by indicator and periods, chart values by indicator and period,
operational updates by id (title, date, text, facts), and the overview by its text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from projections.quarter.board import BoardRow
from projections.quarter.figures import number
from projections.quarter.report import MilestoneItem, Report
from projections.quarter.updates import UpdateItem

T = TypeVar("T")
CLIP = 70


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: the kind of thing, which one, what about it, and the two values."""

    kind: str
    """``milestone``, ``figure``, ``value``, ``update`` or ``overview``."""
    key: str
    what: str
    before: str | None = None
    after: str | None = None

    def __str__(self) -> str:
        head = " ".join(part for part in (self.kind, self.key) if part)
        head = f"{head}: {self.what}" if self.what else head
        if self.before is None and self.after is None:
            return head
        return f"{head}: {transition(self.before, self.after)}"


def transition(before: str | None, after: str | None) -> str:
    """``delivered → on track``, long text clipped, none as ``(none)``."""
    return f"{_clip(before)} → {_clip(after)}"


def _clip(text: str | None) -> str:
    if text is None:
        return "(none)"
    flat = " ".join(text.split())
    return flat if len(flat) <= CLIP else flat[:CLIP - 1] + "…"


def compare_reports(before: Report, after: Report) -> tuple[Change, ...]:
    """Every difference from `before` to `after`, milestones first, then figures and updates."""
    return (*_matched("milestone", _rows(before), _rows(after), _row_changes,
                      lambda row: f"{row.title} ({row.label})"),
            *_matched("figure", _figures(before), _figures(after), _text_change("figure"), str),
            *_matched("value", _values(before), _values(after), _text_change("value"), str),
            *_matched("update", _updates(before), _updates(after), _update_changes,
                      lambda item: item.title),
            *_overview(before, after))


def _matched(kind: str, before: Mapping[str, T], after: Mapping[str, T],
             changes: Callable[[str, T, T], Iterator[Change]],
             summary: Callable[[T], str]) -> Iterator[Change]:
    """Changes to items matched by key; an item on one side only is said to enter or
    leave the report, with its `summary` (a title, a value) on the side it is on."""
    for key in before:
        if key not in after:
            yield Change(kind, key, "no longer in the report", summary(before[key]))
        else:
            yield from changes(key, before[key], after[key])
    for key in after:
        if key not in before:
            yield Change(kind, key, "new in the report", None, summary(after[key]))


def _rows(report: Report) -> dict[str, BoardRow]:
    return {row.milestone_id: row for row in report.board.rows}


def _row_changes(key: str, old: BoardRow, new: BoardRow) -> Iterator[Change]:
    for what, value in (("status", lambda row: row.label), ("progress", lambda row: row.narrative),
                        ("title", lambda row: row.title),
                        ("due", lambda row: str(row.due_quarter))):
        if value(old) != value(new):
            yield Change("milestone", key, what, value(old), value(new))


def _figures(report: Report) -> dict[str, str]:
    found = {}
    for paragraph in report.overview:
        for figure in paragraph.figures:
            key = f"{figure.indicator_id} {figure.from_period} to {figure.to_period}"
            found[key] = figure.phrase
    return found


def _values(report: Report) -> dict[str, str]:
    return {f"{chart.indicator_id} {point.period}": number(point.value)
            for chart in report.charts for point in chart.points}


def _text_change(kind: str) -> Callable[[str, str, str], Iterator[Change]]:
    def changes(key: str, old: str, new: str) -> Iterator[Change]:
        if old != new:
            yield Change(kind, key, "", old, new)

    return changes


def _updates(report: Report) -> dict[str, UpdateItem]:
    found = {}
    for theme in report.themes:
        for topic in theme.topics:
            for item in topic.items:
                updates = item.updates if isinstance(item, MilestoneItem) else (item,)
                for update in updates:
                    if update.retracted is None:
                        found[update.update_id] = update
    return found


def _update_changes(key: str, old: UpdateItem, new: UpdateItem) -> Iterator[Change]:
    for what, value in (("title", lambda item: item.title),
                        ("date", lambda item: item.effective_date.isoformat()),
                        ("text", lambda item: item.narrative),
                        ("facts", lambda item: "; ".join(f"{fact.name}: {fact.text}"
                                                         for fact in item.facts))):
        if value(old) != value(new):
            yield Change("update", key, what, value(old), value(new))


def _overview(before: Report, after: Report) -> Iterator[Change]:
    if _words(before) != _words(after):
        yield Change("overview", "", "text changed")


def _words(report: Report) -> list[str]:
    """The introduction and overview as written (figures are compared on their own)."""
    return [*report.introduction, *(part for paragraph in report.overview
                                     for part in paragraph.parts if isinstance(part, str))]
