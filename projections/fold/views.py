"""What a state shows at a cut-off: the visible version of each record, grouped for reading.

`PlanView.build(state, cutoff)` is the one place visibility is decided; the board and the
report only read views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from catalogue import (
    DomainEvent,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdate,
    Quarter,
    QuarterOverviewWritten,
    StatusScale,
    StatusScaleAdopted,
    StatusScaleDefined,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    scale_in_force,
)
from projections.fold.cutoff import Cutoff
from projections.fold.records import Note, Record, Source, Version
from projections.fold.state import Gap, PlanState

E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True, slots=True)
class Seen(Generic[E]):
    """A record as visible at a cut-off: its event as then known, and its trail."""

    event: E
    record: Record
    version: Version

    @property
    def source(self) -> Source:
        return self.record.source

    @property
    def position(self) -> int:
        return self.record.position

    @property
    def notes(self) -> tuple[Note, ...]:
        return self.version.notes


@dataclass(slots=True)
class MilestoneView:
    """One milestone's visible facts: its schedule, moves, reports and withdrawal."""

    milestone_id: str
    schedule: Seen[MilestoneScheduled] | None = None
    reschedules: list[Seen[MilestoneRescheduled]] = field(default_factory=list)
    reports: list[Seen[MilestoneProgressReported]] = field(default_factory=list)
    withdrawals: list[Seen[MilestoneWithdrawn]] = field(default_factory=list)
    retracted_reports: list[Seen[MilestoneProgressReported]] = field(default_factory=list)
    """Reports retracted by the cut-off, as last known before (see `PlanView.retracted`)."""
    updates: list[Seen[OperationalUpdate]] = field(default_factory=list)
    """The operational updates that name this milestone: the evidence of its progress."""


@dataclass(slots=True)
class PlanView:
    """The plan as visible at one cut-off."""

    cutoff: Cutoff
    position: int
    themes: dict[int, Seen[ThemeDefined]] = field(default_factory=dict)
    topics: dict[str, Seen[TopicDefined]] = field(default_factory=dict)
    topic_rank: dict[str, int] = field(default_factory=dict)
    """Each topic's first-recorded position: topics keep their definition order."""
    units: dict[str, Seen[UnitRegistered]] = field(default_factory=dict)
    indicators: dict[str, Seen[IndicatorDefined]] = field(default_factory=dict)
    milestones: dict[str, MilestoneView] = field(default_factory=dict)
    updates: list[Seen[OperationalUpdate]] = field(default_factory=list)
    values: dict[tuple[str, str], list[Seen[IndicatorValueRecorded]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Each (indicator, period)'s values in position order: the last one counts, the
    earlier ones are what it restated."""
    overviews: dict[Quarter, Seen[QuarterOverviewWritten]] = field(default_factory=dict)
    retracted_updates: list[Seen[OperationalUpdate]] = field(default_factory=list)
    """Updates retracted by the cut-off, as last known before: the report notes them."""
    gaps: tuple[Gap, ...] = ()
    """Events up to the cut-off that could not be read, so are missing from the view."""
    scales: dict[str, Seen[StatusScaleDefined]] = field(default_factory=dict)
    adoptions: list[Seen[StatusScaleAdopted]] = field(default_factory=list)

    def scale_for(self, quarter: Quarter) -> StatusScale:
        """The status scale in force for `quarter` at this cut-off."""
        return scale_in_force(
            ((seen.event.from_quarter, seen.position, seen.event.scale_id)
             for seen in self.adoptions),
            {scale_id: seen.event.scale for scale_id, seen in self.scales.items()}, quarter)

    @classmethod
    def build(cls, state: PlanState, cutoff: Cutoff) -> PlanView:
        position = state.position if cutoff.position is None else min(
            cutoff.position, state.position
        )
        view = cls(cutoff=cutoff, position=position,
                   gaps=tuple(gap for gap in state.gaps if gap.position <= position))
        for record in state.records.values():
            version = cutoff.sees(record)
            if version is not None:
                _ROUTES.get(type(version.event), _route_other)(view, Seen(version.event, record,
                                                                           version))
            elif (gone := retracted(record, cutoff, position)) is not None:
                _route_retracted(view, Seen(gone.event, record, gone))
        for milestone in view.milestones.values():
            milestone.reports.sort(key=report_order)
        return view

    def milestone(self, milestone_id: str) -> MilestoneView:
        found = self.milestones.get(milestone_id)
        if found is None:
            found = self.milestones[milestone_id] = MilestoneView(milestone_id)
        return found

    def value(self, indicator_id: str, period: str) -> Seen[IndicatorValueRecorded] | None:
        found = self.values.get((indicator_id, period))
        return found[-1] if found else None


def retracted(record: Record, cutoff: Cutoff, position: int) -> Version | None:
    """The version a retraction known at `position` ended, when the cut-off would have
    shown it: what a report notes as retracted rather than dropping it in silence."""
    note = record.retraction
    if note is None or note.position > position:
        return None
    return cutoff.at(note.position - 1).sees(record)


def _route_retracted(view: PlanView, seen: Seen[Any]) -> None:
    if isinstance(seen.event, MilestoneProgressReported):
        view.milestone(seen.event.milestone_id).retracted_reports.append(seen)
    elif isinstance(seen.event, OperationalUpdate):
        view.retracted_updates.append(seen)


def report_order(seen: Seen[MilestoneProgressReported]) -> tuple[Quarter, object, int]:
    """Reports in the order they speak: by quarter, then as-of date, then position."""
    return (seen.event.quarter, seen.event.as_of, seen.position)


def _theme(view: PlanView, seen: Seen[ThemeDefined]) -> None:
    view.themes[seen.event.number] = seen


def _topic(view: PlanView, seen: Seen[TopicDefined]) -> None:
    view.topics[seen.event.topic_id] = seen
    view.topic_rank.setdefault(seen.event.topic_id, seen.position)


def _unit(view: PlanView, seen: Seen[UnitRegistered]) -> None:
    view.units[seen.event.unit_id] = seen


def _indicator(view: PlanView, seen: Seen[IndicatorDefined]) -> None:
    view.indicators[seen.event.indicator_id] = seen


def _value(view: PlanView, seen: Seen[IndicatorValueRecorded]) -> None:
    view.values[(seen.event.indicator_id, seen.event.period)].append(seen)


def _scheduled(view: PlanView, seen: Seen[MilestoneScheduled]) -> None:
    view.milestone(seen.event.milestone_id).schedule = seen


def _rescheduled(view: PlanView, seen: Seen[MilestoneRescheduled]) -> None:
    view.milestone(seen.event.milestone_id).reschedules.append(seen)


def _reported(view: PlanView, seen: Seen[MilestoneProgressReported]) -> None:
    view.milestone(seen.event.milestone_id).reports.append(seen)


def _withdrawn(view: PlanView, seen: Seen[MilestoneWithdrawn]) -> None:
    view.milestone(seen.event.milestone_id).withdrawals.append(seen)


def _overview(view: PlanView, seen: Seen[QuarterOverviewWritten]) -> None:
    view.overviews[seen.event.quarter] = seen


def _scale(view: PlanView, seen: Seen[StatusScaleDefined]) -> None:
    view.scales[seen.event.scale_id] = seen


def _adopted(view: PlanView, seen: Seen[StatusScaleAdopted]) -> None:
    view.adoptions.append(seen)


def _route_other(view: PlanView, seen: Seen[DomainEvent]) -> None:
    if isinstance(seen.event, OperationalUpdate):
        view.updates.append(seen)  # type: ignore[arg-type]
        if seen.event.milestone_id is not None:
            view.milestone(seen.event.milestone_id).updates.append(seen)  # type: ignore[arg-type]


_ROUTES: dict[type[DomainEvent], Callable[[PlanView, Seen[Any]], None]] = {
    ThemeDefined: _theme,
    TopicDefined: _topic,
    UnitRegistered: _unit,
    IndicatorDefined: _indicator,
    IndicatorValueRecorded: _value,
    MilestoneScheduled: _scheduled,
    MilestoneRescheduled: _rescheduled,
    MilestoneProgressReported: _reported,
    MilestoneWithdrawn: _withdrawn,
    QuarterOverviewWritten: _overview,
    StatusScaleDefined: _scale,
    StatusScaleAdopted: _adopted,
}
