"""The part of the fold's state a quarter's board and narrative need, chosen by whole streams.

Whole streams, because every fact's corrections live on its own stream and every milestone's
facts on the milestone's stream. So a later event on a stream the part holds applies to it
directly, and a later event on a stream it does not hold can fetch that stream's history
from the log first (`projections.snapshots.resume`). Nothing outside the part can change
the quarter's board or narrative without such an event:

* board: the plan's structure (themes, topics, units) and the streams of the milestones on
  the quarter's board at the snapshot's position. Whether a milestone is on a board depends
  only on its own stream.
* narrative: the indicators with all their values, the quarter's overview, and every
  operational update that some version places in the quarter.

Only the knowledge axis is covered: a question with an effective date may need milestones
that are not on the board as known now, so it does not start from a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalogue import (
    IndicatorDefined,
    IndicatorValueRecorded,
    OperationalUpdate,
    Quarter,
    QuarterOverviewWritten,
)
from projections.fold.cutoff import Cutoff
from projections.fold.kinds import STRUCTURE
from projections.fold.records import Version
from projections.fold.state import PlanState
from projections.fold.views import PlanView
from projections.quarter.board import board_from_view
from projections.quarter.report import reported_in


@dataclass(frozen=True, slots=True)
class Parts:
    """A quarter's share of the state at one position, split so a board reads only its own."""

    board: PlanState
    narrative: PlanState


def quarter_parts(state: PlanState, quarter: Quarter) -> Parts:
    """The records `quarter`'s board and narrative need, as `state` knows them."""
    view = PlanView.build(state, Cutoff(state.position))
    board_streams = {record.stream_id for record in state.records.values()
                     if record.type in STRUCTURE}
    for row in board_from_view(view, quarter).rows:
        milestone = view.milestones[row.milestone_id]
        assert milestone.schedule is not None
        board_streams.add(milestone.schedule.record.stream_id)
    board_streams |= {record.stream_id for record in state.records.values() if any(
        isinstance(version.event, OperationalUpdate) and version.event.milestone_id
        for version in record.versions)}
    narrative_streams = {record.stream_id for record in state.records.values()
                         if _in_narrative(record.versions, quarter)}
    narrative_streams |= _linked(view, quarter)
    narrative_streams -= board_streams
    return Parts(restrict(state, board_streams), restrict(state, narrative_streams))


def _linked(view: PlanView, quarter: Quarter) -> set[str]:
    """The updates the quarter's report lists under a milestone due later than they took
    effect, and the streams of the milestones the quarter's updates name (where an update
    is listed depends on its milestone: `projections.quarter.report.reported_in`)."""
    found: set[str] = set()
    for seen in (*view.updates, *view.retracted_updates):
        named = [version.event.milestone_id for version in seen.record.versions
                 if isinstance(version.event, OperationalUpdate)]
        if reported_in(view, seen.event) == quarter:
            found.add(seen.record.stream_id)
        elif not _in_narrative(seen.record.versions, quarter):
            continue
        for milestone_id in named:
            milestone = view.milestones.get(milestone_id) if milestone_id else None
            if milestone is not None and milestone.schedule is not None:
                found.add(milestone.schedule.record.stream_id)
    return found


def _in_narrative(versions: Iterable[Version], quarter: Quarter) -> bool:
    for version in versions:
        event = version.event
        if isinstance(event, IndicatorDefined | IndicatorValueRecorded):
            return True
        if isinstance(event, QuarterOverviewWritten) and event.quarter == quarter:
            return True
        if isinstance(event, OperationalUpdate) and quarter.contains(event.effective_date):
            return True
    return False


def restrict(state: PlanState, streams: set[str]) -> PlanState:
    """The records of `streams` only, at the same position."""
    return PlanState(state.position, {event_id: record
                                      for event_id, record in state.records.items()
                                      if record.stream_id in streams}, list(state.gaps))


def merged(*states: PlanState) -> PlanState:
    """One state holding every record of `states`, in position order."""
    union = PlanState(max((state.position for state in states), default=0))
    for state in states:
        union.records.update(state.records)
        for gap in state.gaps:
            union.skip(gap)
    union.position = max((state.position for state in states), default=0)
    return union.sorted()


def streams_of(state: PlanState) -> set[str]:
    return {record.stream_id for record in state.records.values()}
