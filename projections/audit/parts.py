"""The records one item of a quarter's report is built from, so that the item can be
rebuilt at many positions without the rest of the plan.

`diff` traces each change to the events whose own step changes the same item: it needs
that item just before and just after every candidate event. A report built (by
`build_report`, unchanged) from only the records the item reads shows that item exactly
as the report of the whole state does, at a small part of the cost:

* a milestone's row reads the milestone's own records (schedule, moves, reports,
  withdrawals, the updates that name it) and the plan's frame (themes, topics, units,
  status scales and their adoptions);
* an update reads its own records, the frame, and the records of any milestone it names
  (the milestone decides the quarter it is listed in, and whether under that milestone);
* a chart value reads its indicator's definition and values, and the frame;
* a key figure reads those and the quarter's overview (which cites it);
* the overview's text reads the quarter's overview and the frame.

A record is filed under what any of its versions says, so a correction that moves it
(an update relinked to another milestone) leaves it under both. A record of any other kind
(the frame, and any kind not named here) is kept in every part: keeping too much costs
time, never the answer. The parts are checked against whole reports in
`tests/cli/test_diff_steps.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from catalogue import (
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdate,
    Quarter,
    QuarterOverviewWritten,
)
from projections.fold.records import Record
from projections.fold.state import PlanState

MILESTONE_EVENTS = (MilestoneScheduled, MilestoneRescheduled, MilestoneProgressReported,
                    MilestoneWithdrawn)

Item = tuple[str, str]
"""A report item as `projections.audit.compare` names it: its kind and key."""


class ReportParts:
    """One state's records filed by the report items they can bear on, for building each
    item's part of the report from them alone."""

    def __init__(self, state: PlanState) -> None:
        self._state = state
        self._order: dict[str, int] = {}
        self._frame: list[Record] = []
        self._milestones: dict[str, list[Record]] = defaultdict(list)
        self._updates: dict[str, list[Record]] = defaultdict(list)
        self._indicators: dict[str, list[Record]] = defaultdict(list)
        self._overviews: dict[Quarter, list[Record]] = defaultdict(list)
        self._linked: dict[str, set[str]] = defaultdict(set)
        """The milestones each update names, in any of its versions."""
        for order, record in enumerate(state.records.values()):
            self._order[record.event_id] = order
            self._file(record)

    def _file(self, record: Record) -> None:
        """File `record` under every item any of its versions is about, or in the frame."""
        filed = False
        for version in record.versions:
            event = version.event
            if isinstance(event, MILESTONE_EVENTS):
                _add(self._milestones[event.milestone_id], record)
            elif isinstance(event, OperationalUpdate):
                _add(self._updates[event.update_id], record)
                if event.milestone_id is not None:
                    _add(self._milestones[event.milestone_id], record)
                    self._linked[event.update_id].add(event.milestone_id)
            elif isinstance(event, IndicatorDefined | IndicatorValueRecorded):
                _add(self._indicators[event.indicator_id], record)
            elif isinstance(event, QuarterOverviewWritten):
                _add(self._overviews[event.quarter], record)
            else:
                continue
            filed = True
        if not filed:
            self._frame.append(record)

    def part(self, item: Item, quarter: Quarter) -> PlanState:
        """A state of only the records `item` of `quarter`'s report reads: the report built
        from it shows that item as the report of the whole state does, at every cut-off."""
        kind, key = item
        if kind == "milestone":
            groups = [self._milestones.get(key, [])]
        elif kind == "update":
            groups = [self._updates.get(key, []),
                      *(self._milestones.get(named, []) for named in self._linked.get(key, ()))]
        elif kind == "value":
            groups = [self._indicators.get(_indicator(key), [])]
        elif kind == "figure":
            groups = [self._indicators.get(_indicator(key), []),
                      self._overviews.get(quarter, [])]
        else:
            groups = [self._overviews.get(quarter, [])]
        return self._state_of([self._frame, *groups])

    def _state_of(self, groups: Iterable[list[Record]]) -> PlanState:
        """The records of `groups` once each, in the whole state's order (the order a view
        reads them in decides which of two records of one key it keeps), with the whole
        state's position and gaps."""
        chosen = {record.event_id: record for group in groups for record in group}
        ordered = sorted(chosen.values(), key=lambda record: self._order[record.event_id])
        return PlanState(self._state.position, {record.event_id: record for record in ordered},
                         list(self._state.gaps))


def _add(group: list[Record], record: Record) -> None:
    """Append `record` unless its previous version already filed it there."""
    if not group or group[-1] is not record:
        group.append(record)


def _indicator(key: str) -> str:
    """The indicator a figure's or value's key names (ids hold no spaces)."""
    return key.split(" ", 1)[0]
