"""Reading the persisted facts back: only what one quarter's board or report needs.

Each loader returns a `PlanState` holding a subset of records (and of their versions)
known at or before a position. The subset always contains every version that could be
visible at that position and effective date for the quarter asked about, so the board and
report built from it are those built from the whole log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import (
    DomainEvent,
    EventCorrected,
    EventRetracted,
    Quarter,
    QuarterOverviewWritten,
    StatusScale,
)
from projections.errors import ReadModelDrift
from projections.fold.cutoff import Cutoff
from projections.fold.decoding import Decoded
from projections.fold.kinds import SCALES, STRUCTURE, UPDATES
from projections.fold.partial import Fetch
from projections.fold.records import (
    Record,
    chart_window,
    keys_of,
    period_quarter,
    quarter_number,
    version_keys,
)
from projections.fold.spans import covering
from projections.fold.state import Gap, PlanState
from projections.fold.views import PlanView
from projections.readmodels.rows import altered_row, records_from_rows
from projections.readmodels.tables import checkpoints, facts, quarantine

PROJECTION = "board"
CHUNK = 500
SCHEDULED = "MilestoneScheduled"
REPORTED = "MilestoneProgressReported"
WITHDRAWN = "MilestoneWithdrawn"
RESCHEDULED = "MilestoneRescheduled"
OVERVIEW = "QuarterOverviewWritten"
VALUE = "IndicatorValueRecorded"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a generation of the read models stands."""

    projection: str
    role: str
    generation: int
    position: int
    horizon: int | None
    failed_position: int | None
    failure: str | None
    head_hash: str | None = None
    """The log's hash at `position` when the runner reached it."""


def checkpoint(connection: Connection, role: str = "live",
               projection: str = PROJECTION) -> Checkpoint | None:
    row = connection.execute(
        sa.select(checkpoints).where(checkpoints.c.projection == projection,
                                     checkpoints.c.role == role)
    ).mappings().first()
    if row is None:
        return None
    return Checkpoint(row["projection"], row["role"], row["generation"], row["position"],
                      row["horizon"], row["failed_position"], row["failure"], row["head_hash"])


def _rows(connection: Connection, *conditions: Any) -> list[Any]:
    """Facts rows, each first checked against its digest (`ReadModelDrift` if one fails)."""
    rows = list(connection.execute(sa.select(facts).where(*conditions)).mappings())
    for row in rows:
        problem = altered_row(row)
        if problem is not None:
            raise ReadModelDrift(problem)
    return rows


def _known(generation: int, position: int) -> list[Any]:
    return [facts.c.generation == generation, facts.c.known_from <= position]


def _state(rows: Iterable[Any], position: int) -> PlanState:
    """The records of `rows`, each version once (an update that names a milestone is found
    both by its quarter and by its milestone)."""
    unique = {(row["event_id"], row["known_from"]): row for row in rows}
    state = PlanState(position)
    for record in records_from_rows(unique.values(), known_at=position):
        state.add(record)
    return state


def rows_in(connection: Connection, column: sa.Column[Any], values: Collection[str],
            *conditions: Any) -> list[Any]:
    """The facts rows meeting `conditions` whose `column` is one of `values` (asked for in
    chunks, so a long list stays within the database's limit on parameters)."""
    ordered = sorted(values)
    rows: list[Any] = []
    for start in range(0, len(ordered), CHUNK):
        rows += _rows(connection, *conditions, column.in_(ordered[start:start + CHUNK]))
    return rows


def milestone_ids(connection: Connection, generation: int, quarter: Quarter, position: int,
                  effective: date | None) -> set[str]:
    """The milestones that can be on `quarter`'s board at this cut-off (a safe superset).

    Those whose span at the position covers the quarter; with an effective date, also
    those with a fact known then that takes effect after that date and could have changed
    their place on the quarter's board (a report or withdrawal for the quarter or before,
    or any move): without it they may stay on, or come back to, the board.
    """
    number = quarter_number(quarter)
    found = covering(connection, generation, number, position)
    if effective is None:
        return found
    known = [*_known(generation, position),
             sa.or_(facts.c.known_to.is_(None), facts.c.known_to > position)]
    later = facts.c.effective_on > effective
    for condition in (sa.and_(facts.c.type.in_((REPORTED, WITHDRAWN)),
                              facts.c.quarter <= number, later),
                      sa.and_(facts.c.type == RESCHEDULED, later)):
        found |= {row[0] for row in connection.execute(
            sa.select(facts.c.milestone_id).distinct().where(*known, condition))}
    return found


def load_milestones(connection: Connection, generation: int, ids: Collection[str],
                    position: int) -> list[Any]:
    """Every version of these milestones' records known at `position`."""
    return rows_in(connection, facts.c.milestone_id, ids, *_known(generation, position))


def load_board_state(connection: Connection, generation: int, quarter: Quarter,
                     position: int, effective: date | None) -> PlanState:
    """The records `quarter`'s board needs, as known at `position`."""
    ids = milestone_ids(connection, generation, quarter, position, effective)
    rows = _rows(connection, *_known(generation, position), facts.c.type.in_(STRUCTURE))
    rows += load_milestones(connection, generation, ids, position)
    return _state(rows, position)


def load_report_state(connection: Connection, generation: int, quarter: Quarter,
                      position: int, effective: date | None) -> PlanState:
    """The records `quarter`'s report needs, as known at `position`."""
    number = quarter_number(quarter)
    ids = milestone_ids(connection, generation, quarter, position, effective)
    known = _known(generation, position)
    rows = _rows(connection, *known, facts.c.type.in_((*STRUCTURE, "IndicatorDefined")))
    rows += _rows(connection, *known, facts.c.type.in_((*UPDATES, OVERVIEW)),
                  facts.c.quarter == number)
    first, last = chart_window(quarter)
    cited = cited_quarters(version.event for record in records_from_rows(
        row for row in rows if row["type"] == OVERVIEW) for version in record.versions)
    rows += _rows(connection, *known, facts.c.type == VALUE, facts.c.quarter.between(first, last))
    rows += load_values(connection, generation, position,
                        {number for number in cited if not first <= number <= last})
    named = {row["milestone_id"] for row in rows
             if row["type"] in UPDATES and row["milestone_id"] is not None}
    rows += load_milestones(connection, generation, ids | named | scheduled_for(
        connection, generation, number, position), position)
    return _state(rows, position)


def scheduled_for(connection: Connection, generation: int, number: int,
                  position: int) -> set[str]:
    """The milestones any version of whose schedule, known at `position`, is due in the
    quarter numbered `number`: an update that names one is listed in that quarter's report
    whatever its own date (`projections.quarter.report.reported_in`), so those milestones'
    records, the updates that name them among them, are part of what the report reads."""
    return {str(row[0]) for row in connection.execute(
        sa.select(facts.c.milestone_id).distinct().where(
            *_known(generation, position), facts.c.type == SCHEDULED,
            facts.c.quarter == number))}


def scale_at(connection: Connection, generation: int, position: int,
             quarter: Quarter) -> StatusScale:
    """The status scale in force for `quarter` as known at `position`."""
    rows = _rows(connection, *_known(generation, position), facts.c.type.in_(SCALES))
    return PlanView.build(_state(rows, position), Cutoff(position)).scale_for(quarter)


def cited_quarters(events: Iterable[DomainEvent]) -> set[int]:
    """The quarters the periods of the overviews' figures start in."""
    return {period_quarter(period) for event in events
            if isinstance(event, QuarterOverviewWritten)
            for paragraph in event.paragraphs for figure in paragraph.figures
            for period in (figure.from_period, figure.to_period)}


def tail_fetch(connection: Connection, generation: int) -> Fetch:
    """What events after the read models' position refer to, read from the read models:
    the targets of their corrections, every record of the milestones they (or those
    targets) are about, and the indicator values their overviews cite."""

    def fetch(state: PlanState, tail: Sequence[Decoded]) -> list[Record]:
        base = state.position
        targets = {str(item.event.target_event_id) for item in tail
                   if isinstance(item.event, EventCorrected | EventRetracted)}
        found = records_from_rows(
            load_records(connection, generation, targets - state.records.keys(), base),
            known_at=base)
        referred = [*(state.records[target] for target in targets if target in state.records),
                    *found]
        keys = [version_keys(record, version) for record in referred
                for version in record.versions]
        keys += [keys_of(item.event, item.occurred_at) for item in tail]
        milestones = {key.milestone_id for key in keys if key.milestone_id is not None}
        rows = load_milestones(connection, generation, milestones, base)
        rows += load_values(connection, generation, base,
                            cited_quarters(item.event for item in tail))
        held = state.records.keys() | {record.event_id for record in found}
        return [*found, *records_from_rows((row for row in rows if row["event_id"] not in held),
                                           known_at=base)]

    return fetch


def load_values(connection: Connection, generation: int, position: int,
                quarters: Collection[int]) -> list[Any]:
    """Indicator values for periods starting in these quarters, known at `position`."""
    if not quarters:
        return []
    return _rows(connection, *_known(generation, position), facts.c.type == VALUE,
                 facts.c.quarter.in_(sorted(quarters)))


def load_records(connection: Connection, generation: int, event_ids: Collection[str],
                 position: int | None = None) -> list[Any]:
    """Every stored version of the given records (known at `position`, if given)."""
    conditions = [facts.c.generation == generation]
    if position is not None:
        conditions.append(facts.c.known_from <= position)
    return rows_in(connection, facts.c.event_id, event_ids, *conditions)


def quarantined(connection: Connection, generation: int, position: int) -> list[Gap]:
    """The events the runner could not read, up to `position`, in position order."""
    rows = connection.execute(
        sa.select(quarantine).where(quarantine.c.generation == generation,
                                    quarantine.c.position <= position)
        .order_by(quarantine.c.position)).mappings()
    return [Gap(row["position"], row["event_id"], row["type"], row["reason"]) for row in rows]
