"""The quarterly narrative as a typed model, built from a view of the plan.

The report follows the reference progress update: title and period; the introduction and
the status legend; the quarter's overview, whose key figures are computed from recorded
indicator values; then the numbered themes, their topics in order, and under each topic
the quarter's milestones (with status and progress) and operational updates, each in the
order it was first recorded. Every figure and status carries the event it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from catalogue import (
    OperationalUpdate,
    Quarter,
    StatusDef,
    parse_period,
)
from catalogue.periods import period_sort_key
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note, Source, chart_window, period_quarter
from projections.fold.state import Gap, PlanState
from projections.fold.views import PlanView
from projections.quarter.board import Board, BoardRow, board_from_view
from projections.quarter.overview import OverviewParagraph, overview_paragraphs
from projections.quarter.updates import UpdateItem, retracted_item, update_item

TITLE = "Business Plan progress update"
INTRODUCTION_THEME = 1
"""A plan's theme 1, when defined, is its introduction: the quarter's introduction and
overview are printed under it."""


@dataclass(frozen=True, slots=True)
class MilestoneItem:
    """A milestone of the quarter: its heading in bold, status, progress and updates."""

    row: BoardRow
    updates: tuple[UpdateItem, ...]

    @property
    def heading(self) -> str:
        """``Quarter 1, 2018-19: launch of the Violent Crime Task Force (VCTF)``."""
        due = self.row.due_quarter
        return f"Quarter {due.number}, {due.year}: {self.row.title}"

    @property
    def source(self) -> Source:
        return self.row.source


Item = MilestoneItem | UpdateItem


@dataclass(frozen=True, slots=True)
class TopicSection:
    topic_id: str
    title: str
    items: tuple[Item, ...]
    source: Source | None
    lead_in: bool = False
    """Printed straight under the theme heading, without its own title."""


@dataclass(frozen=True, slots=True)
class ThemeSection:
    number: int | None
    title: str
    topics: tuple[TopicSection, ...]
    source: Source | None

    @property
    def heading(self) -> str:
        return self.title if self.number is None else f"{self.number}- {self.title}"


@dataclass(frozen=True, slots=True)
class ChartPoint:
    period: str
    starts: date
    kind: str
    """``year``, ``quarter`` or ``month``."""
    value: Decimal
    source: Source
    notes: tuple[Note, ...]
    released_on: date
    """When the value drawn was released, at the precision its source gave."""


@dataclass(frozen=True, slots=True)
class Chart:
    """One indicator's values over periods, up to the end of the report's quarter."""

    indicator_id: str
    name: str
    measure: str
    points: tuple[ChartPoint, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Covering:
    """A signed checkpoint of the log whose tree holds every event a report read."""

    checkpoint_id: int
    origin: str
    size: int
    root: str
    """The tree's root hash, hex."""
    made_at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    quarter: Quarter
    cutoff: Cutoff
    position: int
    introduction: tuple[str, ...]
    overview: tuple[OverviewParagraph, ...]
    overview_source: Source | None
    overview_notes: tuple[Note, ...]
    themes: tuple[ThemeSection, ...]
    board: Board
    charts: tuple[Chart, ...]
    introduction_heading: str
    """``1- Introduction`` when the plan's first theme is its introduction."""
    gaps: tuple[Gap, ...] = ()
    """Events up to the cut-off that could not be read, so are missing from the report."""
    covered_by: Covering | None = None
    """The signed checkpoint that covers every event read, if one has been made (audit)."""
    unit_names: Mapping[str, str] = field(default_factory=dict)
    """Each unit's name by its id: a public note names the unit, never an id."""

    @property
    def period(self) -> str:
        """``2018-19, Quarter 1 (April to June 2018)``."""
        quarter = self.quarter
        first, last = quarter.first_day, quarter.last_day
        return f"{quarter.label} ({first:%B} to {last:%B} {last.year})"

    @property
    def overview_heading(self) -> str:
        return f"Quarter {self.quarter.number} overview"

    @property
    def legend(self) -> tuple[StatusDef, ...]:
        """The statuses of the scale in force for the quarter at the cut-off."""
        return self.board.scale.statuses


def build_report(state: PlanState, quarter: Quarter, cutoff: Cutoff) -> Report:
    """The narrative for `quarter` as the log knew it at `cutoff`."""
    return report_from_view(PlanView.build(state, cutoff), quarter)


def report_from_view(view: PlanView, quarter: Quarter) -> Report:
    board = board_from_view(view, quarter)
    overview = view.overviews.get(quarter)
    return Report(
        title=_title(view),
        quarter=quarter,
        cutoff=view.cutoff,
        position=view.position,
        introduction=tuple(overview.event.introduction) if overview else (),
        overview=overview_paragraphs(view, overview.event.paragraphs) if overview else (),
        overview_source=overview.source if overview else None,
        overview_notes=overview.notes if overview else (),
        themes=_themes(view, quarter, board),
        board=board,
        charts=_charts(view, quarter),
        introduction_heading=_introduction_heading(view),
        gaps=view.gaps,
        unit_names={unit_id: seen.event.name for unit_id, seen in view.units.items()},
    )


def _title(view: PlanView) -> str:
    """``Metropolitan Police Service Business Plan progress update``: the organisation is the
    unit at the top of the units' hierarchy (no parent, and the parent of most units)."""
    parents = Counter(seen.event.parent_unit for seen in view.units.values()
                      if seen.event.parent_unit)
    tops = [(count, unit_id) for unit_id, count in parents.most_common()
            if unit_id in view.units and view.units[unit_id].event.parent_unit is None]
    if not tops or (len(tops) > 1 and tops[0][0] == tops[1][0]):
        return TITLE
    return f"{view.units[tops[0][1]].event.name} {TITLE}"


def _introduction_heading(view: PlanView) -> str:
    first = view.themes.get(INTRODUCTION_THEME)
    return f"{INTRODUCTION_THEME}- {first.event.title}" if first else "Introduction"


def reported_in(view: PlanView, update: OperationalUpdate) -> Quarter:
    """The quarter whose report lists `update`: that of its effective date, unless it names
    a milestone due later, when it is listed under that milestone in the quarter the
    milestone was scheduled for (MOPAC decided the ESB purchase on 22 March 2018; the
    2018-19 Quarter 1 report says, under that milestone, that the acquisition is complete)."""
    own = Quarter.containing(update.effective_date)
    milestone = view.milestones.get(update.milestone_id) if update.milestone_id else None
    if milestone is None or milestone.schedule is None:
        return own
    return max(own, milestone.schedule.event.due_quarter)


def _themes(view: PlanView, quarter: Quarter, board: Board) -> tuple[ThemeSection, ...]:
    updates = [(seen, update_item) for seen in view.updates
               if reported_in(view, seen.event) == quarter]
    updates += [(seen, retracted_item) for seen in view.retracted_updates
                if reported_in(view, seen.event) == quarter]
    updates.sort(key=lambda pair: pair[0].position)
    on_board = {row.milestone_id for row in board.rows}
    linked: dict[str, list[UpdateItem]] = {}
    by_topic: dict[str, list[tuple[int, Item]]] = {}
    for seen, item_of in updates:
        update = item_of(view, seen)
        milestone_id = seen.event.milestone_id
        if milestone_id is not None and milestone_id in on_board:
            linked.setdefault(milestone_id, []).append(update)
        else:
            by_topic.setdefault(seen.event.topic_id, []).append((seen.position, update))
    for row in board.rows:
        item = MilestoneItem(row, tuple(linked.get(row.milestone_id, ())))
        by_topic.setdefault(row.topic_id, []).append((row.sort_key[2], item))
    sections: dict[int | None, list[TopicSection]] = {}
    ranked = sorted(by_topic, key=lambda topic_id: view.topic_rank.get(topic_id, 2**62))
    for topic_id in ranked:
        items = tuple(item for _, item in sorted(by_topic[topic_id], key=lambda pair: pair[0]))
        topic = view.topics.get(topic_id)
        number = topic.event.theme if topic is not None else None
        title = topic.event.title if topic is not None else topic_id
        section = TopicSection(topic_id, title, items, topic.source if topic else None,
                               topic.event.lead_in if topic else False)
        sections.setdefault(number if number in view.themes else None, []).append(section)
    themes = [
        ThemeSection(number, view.themes[number].event.title, tuple(topics),
                     view.themes[number].source)
        for number, topics in sorted(
            ((number, topics) for number, topics in sections.items() if number is not None),
            key=lambda pair: pair[0],
        )
    ]
    if None in sections:
        themes.append(ThemeSection(None, "Not yet filed under a theme", tuple(sections[None]),
                                   None))
    return tuple(themes)


def _charts(view: PlanView, quarter: Quarter) -> tuple[Chart, ...]:
    points: dict[str, list[ChartPoint]] = {}
    first, last = chart_window(quarter)
    for (indicator_id, period_text), seen_values in view.values.items():
        if not first <= period_quarter(period_text) <= last:
            continue
        period = parse_period(period_text)
        latest = seen_values[-1]
        points.setdefault(indicator_id, []).append(ChartPoint(
            period=period_text,
            starts=period.first_day,
            kind={"FinancialYear": "year", "Quarter": "quarter", "Month": "month"}[
                type(period).__name__],
            value=latest.event.value,
            source=latest.source,
            notes=latest.notes,
            released_on=latest.event.released_on,
        ))
    charts = []
    defined = sorted((seen.position, name) for name, seen in view.indicators.items())
    for _, indicator_id in defined:
        if indicator_id not in points:
            continue
        indicator = view.indicators[indicator_id]
        ordered = sorted(points[indicator_id],
                         key=lambda point: period_sort_key(parse_period(point.period)))
        charts.append(Chart(indicator_id, indicator.event.name, indicator.event.measure,
                            tuple(ordered), indicator.source))
    return tuple(charts)


__all__ = [
    "Chart",
    "ChartPoint",
    "Item",
    "MilestoneItem",
    "OperationalUpdate",
    "Report",
    "ThemeSection",
    "TopicSection",
    "UpdateItem",
    "build_report",
    "report_from_view",
]
