"""The milestone board: each milestone due in, or carried into, a quarter, with its status.

Rules, for a quarter Q:

* a milestone is on Q's board when it is due in Q; when it was due in Q and rescheduled
  away (shown as rescheduled); or when it fell due before Q and its latest report for a
  quarter before Q is not "delivered" (carried over until it is);
* a withdrawn milestone stays until the later of its due quarter and the quarter it was
  withdrawn in, and shows as withdrawn from the quarter it was withdrawn in;
* its status on Q's board is that of its latest report for Q or an earlier quarter
  (by quarter, as-of date, position); "not yet reported" when there is none;
* statuses are those of the scale in force for the report's quarter
  (`catalogue.scales`): "delivered" above is any status of category done;
* a delivered status is flagged (`BoardRow.evidence`) when the milestone's linked updates
  all fall after the quarter it was reported delivered in: its evidence moved (a
  correction of a go-live date, say) and the status no longer rests on it.

Carried over, precisely: a milestone is carried over into Q when it was planned (is now
due) for an earlier quarter, no report for a quarter before Q says done, and it was still
open when Q began (not withdrawn before Q). The board counts carried-over milestones apart
from those planned for Q ("52 milestones planned plus 3 carried over from Quarter 1").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from catalogue import (
    DEFAULT_SCALE,
    MilestoneProgressReported,
    MilestoneWithdrawn,
    Quarter,
    StatusDef,
    StatusScale,
    status_def,
)
from catalogue.scales import AT_RISK, CATEGORIES, DONE, NOT_STARTED
from catalogue.scales import WITHDRAWN as WITHDRAWN_CATEGORY
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note, Source, effective_date
from projections.fold.state import Gap, PlanState
from projections.fold.views import MilestoneView, PlanView, Seen, report_order
from projections.quarter.figures import quarter_words

RESCHEDULED = "rescheduled"
WITHDRAWN = "withdrawn"
NOT_REPORTED = "not_reported"
EXTRAS = (NOT_REPORTED, RESCHEDULED, WITHDRAWN)
"""The states a board row may be in besides the statuses of a scale."""
EXTRA_STYLES = {
    NOT_REPORTED: StatusDef(status=NOT_REPORTED, label="not yet reported", symbol="dash",
                            colour="#737373", category=NOT_STARTED),
    RESCHEDULED: StatusDef(status=RESCHEDULED, label="rescheduled", symbol="dash",
                           colour="#737373", category=AT_RISK),
    WITHDRAWN: StatusDef(status=WITHDRAWN, label="withdrawn", symbol="dash", colour="#737373",
                         category=WITHDRAWN_CATEGORY),
}


def style_of(scale: StatusScale, status: str) -> StatusDef:
    """How a board shows `status`: one of the extra states, else as `scale` defines it."""
    return EXTRA_STYLES.get(status) or status_def(scale, status)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One milestone on one quarter's board."""

    quarter: Quarter
    milestone_id: str
    title: str
    theme_number: int | None
    theme_title: str | None
    topic_id: str
    topic_title: str | None
    owner_unit: str
    owner_name: str | None
    due_quarter: Quarter
    carried_over: bool
    status: str
    rescheduled_to: Quarter | None
    last_report_quarter: Quarter | None
    last_report_date: date | None
    narrative: str | None
    """The progress text of the latest report for this quarter, if there is one."""
    source: Source
    """The event the status comes from (a report, a move, a withdrawal, or the schedule)."""
    notes: tuple[Note, ...]
    """Corrections of the facts behind this row's status and title."""
    sort_key: tuple[int, int, int]
    style: StatusDef | None = None
    """The status as the scale in force for its report's quarter defines it."""
    evidence: str | None = None
    """Why a delivered status no longer rests on its evidence, when it does not."""

    @property
    def status_style(self) -> StatusDef:
        return self.style if self.style is not None else style_of(DEFAULT_SCALE, self.status)

    @property
    def symbol(self) -> str:
        """The name of the status's shape (`catalogue.scales.SYMBOLS`)."""
        return self.status_style.symbol

    @property
    def colour(self) -> str:
        return self.status_style.colour

    @property
    def category(self) -> str:
        return self.status_style.category

    @property
    def label(self) -> str:
        if self.status == RESCHEDULED and self.rescheduled_to is not None:
            return f"rescheduled to {quarter_words(self.rescheduled_to)}"
        return self.status_style.label


@dataclass(frozen=True, slots=True)
class Board:
    """A quarter's board at a cut-off, in theme, topic and milestone order."""

    quarter: Quarter
    cutoff: Cutoff
    position: int
    rows: tuple[BoardRow, ...]
    gaps: tuple[Gap, ...] = ()
    """Events up to the cut-off that could not be read (see `projections.fold.state.Gap`)."""
    scale: StatusScale = DEFAULT_SCALE
    """The status scale in force for the quarter at the cut-off."""

    @property
    def statuses(self) -> tuple[str, ...]:
        """The scale's statuses, any other a row shows (an earlier scale's), the extras."""
        others = sorted({row.status for row in self.rows} - {*self.scale.ids, *EXTRAS})
        return (*self.scale.ids, *others, *EXTRAS)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.status for row in self.rows)
        return {status: counted.get(status, 0) for status in self.statuses}

    @property
    def categories(self) -> dict[str, int]:
        """How many rows fall in each category, whatever the scale calls their status."""
        counted = Counter(row.category for row in self.rows)
        return {category: counted.get(category, 0) for category in CATEGORIES}

    def style(self, status: str) -> StatusDef:
        """How the board shows `status` (as a row shows it, else as its scale does)."""
        found = next((row.status_style for row in self.rows if row.status == status), None)
        return found if found is not None else style_of(self.scale, status)

    @property
    def flagged(self) -> tuple[BoardRow, ...]:
        """Rows whose delivered status no longer rests on its evidence."""
        return tuple(row for row in self.rows if row.evidence is not None)

    @property
    def carried_from(self) -> dict[Quarter, int]:
        """How many carried-over milestones each earlier quarter left, oldest first."""
        counted = Counter(row.due_quarter for row in self.rows if row.carried_over)
        return dict(sorted(counted.items()))

    @property
    def planned(self) -> int:
        """The milestones planned for the quarter itself (not carried into it)."""
        return sum(1 for row in self.rows if not row.carried_over)

    @property
    def summary(self) -> str:
        """"6 milestones: 6 delivered, 0 on track, 0 some delay" (other states when present);
        with carried-over milestones counted apart, as published updates do: "52 milestones
        planned plus 3 carried over from Quarter 1: …"."""
        counts = self.counts
        parts = [f"{count} {self.style(status).label}" for status, count in counts.items()
                 if count or status in self.scale.ids]
        return f"{self.headline}: {', '.join(parts)}"

    @property
    def headline(self) -> str:
        """``6 milestones``, or ``52 milestones planned plus 3 carried over from Quarter 1``."""
        carried = self.carried_from
        if not carried:
            return _milestones(len(self.rows))
        planned = f"{_milestones(self.planned)} planned"
        origins = [quarter_name(self.quarter, quarter) for quarter in carried]
        if len(carried) == 1:
            return f"{planned} plus {sum(carried.values())} carried over from {origins[0]}"
        each = ", ".join(f"{count} from {name}"
                         for name, count in zip(origins, carried.values(), strict=True))
        return (f"{planned} plus {sum(carried.values())} carried over from earlier quarters "
                f"({each})")


def quarter_name(board_quarter: Quarter, quarter: Quarter) -> str:
    """How a board names an earlier quarter: ``Quarter 1`` within its own year, ``2017-18,
    Quarter 4`` across years."""
    if quarter.start_year == board_quarter.start_year:
        return f"Quarter {quarter.number}"
    return quarter.label


def _milestones(count: int) -> str:
    return f"{count} milestone" if count == 1 else f"{count} milestones"


def build_board(state: PlanState, quarter: Quarter, cutoff: Cutoff) -> Board:
    """The board for `quarter` as the log knew it at `cutoff`."""
    return board_from_view(PlanView.build(state, cutoff), quarter)


def board_from_view(view: PlanView, quarter: Quarter) -> Board:
    rows = [row for milestone in view.milestones.values()
            if (row := board_row(view, milestone, quarter)) is not None]
    rows.sort(key=lambda row: row.sort_key)
    return Board(quarter, view.cutoff, view.position, tuple(rows), view.gaps,
                 view.scale_for(quarter))


def due_quarter(milestone: MilestoneView) -> Quarter | None:
    """Where the milestone is due now: its last move's target, else its schedule."""
    if milestone.schedule is None:
        return None
    if milestone.reschedules:
        return max(milestone.reschedules, key=lambda seen: seen.position).event.to_quarter
    return milestone.schedule.event.due_quarter


def on_board(milestone: MilestoneView, quarter: Quarter, view: PlanView | None = None) -> bool:
    """Whether the milestone is on `quarter`'s board (the first half of `board_row`);
    without the `view` its scales are not known, and only the default's delivered is done."""
    return _placed(milestone, quarter, view) is not None


def report_style(view: PlanView | None, seen: Seen[MilestoneProgressReported]) -> StatusDef:
    """The report's status as the scale in force for its quarter defines it."""
    scale = view.scale_for(seen.event.quarter) if view is not None else DEFAULT_SCALE
    return style_of(scale, seen.event.status)


def _placed(milestone: MilestoneView, quarter: Quarter,
            view: PlanView | None = None) -> bool | None:
    """None when the milestone is not on `quarter`'s board, else whether it is carried."""
    due = due_quarter(milestone)
    if milestone.schedule is None or due is None:
        return None
    if due == quarter or any(seen.event.from_quarter == quarter
                             for seen in milestone.reschedules):
        carried = False
    elif due < quarter:
        earlier = [seen for seen in milestone.reports if seen.event.quarter < quarter]
        if earlier and report_style(view, earlier[-1]).category == DONE:
            return None
        carried = True
    else:
        return None
    if milestone.withdrawals:
        withdrawal = min(milestone.withdrawals, key=lambda seen: seen.position)
        withdrawn_in = _withdrawn_in(withdrawal)
        if withdrawn_in is not None and quarter > max(withdrawn_in, due):
            return None
    return carried


def board_row(view: PlanView, milestone: MilestoneView, quarter: Quarter) -> BoardRow | None:
    """The milestone's row on `quarter`'s board, or None when it is not on it."""
    carried = _placed(milestone, quarter, view)
    schedule = milestone.schedule
    due = due_quarter(milestone)
    if carried is None or schedule is None or due is None:
        return None
    moved_away = [seen for seen in milestone.reschedules
                  if seen.event.from_quarter == quarter and due != quarter]
    withdrawal = min(milestone.withdrawals, key=lambda seen: seen.position, default=None)
    withdrawn_in = _withdrawn_in(withdrawal)
    reports = [seen for seen in milestone.reports if seen.event.quarter <= quarter]
    latest = reports[-1] if reports else None
    status: str
    status_from: Seen[Any]
    rescheduled_to = None
    if withdrawal is not None and withdrawn_in is not None and quarter >= withdrawn_in:
        status, status_from = WITHDRAWN, withdrawal
    elif moved_away:
        move = max(moved_away, key=lambda seen: seen.position)
        status, status_from, rescheduled_to = RESCHEDULED, move, move.event.to_quarter
    elif latest is not None:
        status, status_from = latest.event.status, latest
    else:
        status, status_from = NOT_REPORTED, schedule
    style = report_style(view, latest) if status_from is latest and latest is not None else (
        EXTRA_STYLES[status])
    event = schedule.event
    topic = view.topics.get(event.topic_id)
    theme_number = topic.event.theme if topic is not None else None
    theme = view.themes.get(theme_number) if theme_number is not None else None
    owner = view.units.get(event.owner_unit)
    this_quarter = latest if latest is not None and latest.event.quarter == quarter else None
    notes = _notes(view, milestone, status_from, latest, quarter)
    return BoardRow(
        quarter=quarter,
        milestone_id=milestone.milestone_id,
        title=event.title,
        theme_number=theme_number,
        theme_title=theme.event.title if theme is not None else None,
        topic_id=event.topic_id,
        topic_title=topic.event.title if topic is not None else None,
        owner_unit=event.owner_unit,
        owner_name=owner.event.name if owner is not None else None,
        due_quarter=due,
        carried_over=carried,
        status=status,
        rescheduled_to=rescheduled_to,
        last_report_quarter=latest.event.quarter if latest else None,
        last_report_date=latest.event.as_of if latest else None,
        narrative=this_quarter.event.narrative if this_quarter else None,
        source=status_from.source,
        notes=notes,
        sort_key=(theme_number if theme_number is not None else UNSORTED,
                  view.topic_rank.get(event.topic_id, UNSORTED), schedule.position),
        style=style,
        evidence=_evidence(milestone, latest, style) if status_from is latest else None,
    )


def _evidence(milestone: MilestoneView, latest: Seen[MilestoneProgressReported] | None,
              style: StatusDef) -> str | None:
    """Why a done status no longer rests on the updates linked to the milestone: each of
    them now takes effect after the quarter it was reported done in. None when it does (or
    when no update is linked: then there is nothing to check it against)."""
    if latest is None or style.category != DONE or not milestone.updates:
        return None
    delivered_in = latest.event.quarter
    if any(seen.event.effective_date <= delivered_in.last_day for seen in milestone.updates):
        return None
    first = min(milestone.updates, key=lambda seen: (seen.event.effective_date, seen.position))
    moved = " (corrected)" if first.notes else ""
    when = first.event.effective_date
    return (f"reported {style.label} in {delivered_in}, but its evidence now falls later: "
            f"{first.event.title}, effective {when.isoformat()}{moved}, in "
            f"{Quarter.containing(when)}")


def _notes(view: PlanView, milestone: MilestoneView, status_from: Seen[Any],
           latest: Seen[MilestoneProgressReported] | None, quarter: Quarter) -> tuple[Note, ...]:
    """Corrections of the schedule, every move (who, when, why), retractions of reports that
    would otherwise give this row its status, then corrections of the status's source."""
    schedule = milestone.schedule
    assert schedule is not None
    found = [*schedule.notes]
    for move in sorted(milestone.reschedules, key=lambda seen: seen.position):
        found += [note for note in move.notes if note not in found]
    for gone in milestone.retracted_reports:
        if gone.event.quarter <= quarter and (
                latest is None or report_order(gone) > report_order(latest)):
            found.append(retraction_note(gone, quarter=str(gone.event.quarter),
                                         status=report_style(view, gone).label))
    found += [note for note in status_from.notes if note not in found]
    return tuple(found)


def retraction_note(seen: Seen[Any], **what: str) -> Note:
    """The retraction of `seen`'s record, naming what was retracted."""
    note = seen.record.retraction
    assert note is not None
    return replace(note, previous=dict(what))


UNSORTED = 2**62
"""Sorts milestones whose theme or topic is not (yet) defined after all the others."""


def _withdrawn_in(withdrawal: Seen[MilestoneWithdrawn] | None) -> Quarter | None:
    if withdrawal is None:
        return None
    on = effective_date(withdrawal.event, withdrawal.record.occurred_at)
    return Quarter.containing(on) if on is not None else None
