"""Reading the persisted facts back: only what one quarter's board or report needs.

Each loader returns a `PlanState` holding a subset of records (and of their versions)
known at or before a position. The subset always contains every version that could be
visible at that position and effective date for the quarter asked about, so the board and
report built from it are those built from the whole log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import UPDATE_TYPES, Quarter, QuarterOverviewWritten
from projections.fold.records import chart_window, period_quarter, quarter_number
from projections.fold.spans import covering
from projections.fold.state import PlanState
from projections.readmodels.rows import records_from_rows
from projections.readmodels.tables import checkpoints, facts

PROJECTION = "board"
CHUNK = 500
STRUCTURE = ("ThemeDefined", "TopicDefined", "UnitRegistered")
UPDATES = UPDATE_TYPES
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


def checkpoint(connection: Connection, role: str = "live",
               projection: str = PROJECTION) -> Checkpoint | None:
    row = connection.execute(
        sa.select(checkpoints).where(checkpoints.c.projection == projection,
                                     checkpoints.c.role == role)
    ).mappings().first()
    if row is None:
        return None
    return Checkpoint(row["projection"], row["role"], row["generation"], row["position"],
                      row["horizon"], row["failed_position"], row["failure"])


def _rows(connection: Connection, *conditions: Any) -> list[Any]:
    return list(connection.execute(sa.select(facts).where(*conditions)).mappings())


def _known(generation: int, position: int) -> list[Any]:
    return [facts.c.generation == generation, facts.c.known_from <= position]


def _state(rows: Iterable[Any], position: int) -> PlanState:
    state = PlanState(position)
    for record in records_from_rows(rows):
        state.add(record)
    return state


def _chunks(items: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


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
    rows: list[Any] = []
    for chunk in _chunks(ids):
        rows += _rows(connection, *_known(generation, position),
                      facts.c.milestone_id.in_(chunk))
    return rows


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
    cited = {period_quarter(period) for record in records_from_rows(
        row for row in rows if row["type"] == OVERVIEW) for version in record.versions
        if isinstance(version.event, QuarterOverviewWritten)
        for paragraph in version.event.paragraphs for figure in paragraph.figures
        for period in (figure.from_period, figure.to_period)}
    rows += _rows(connection, *known, facts.c.type == VALUE, facts.c.quarter.between(first, last))
    rows += load_values(connection, generation, position,
                        {number for number in cited if not first <= number <= last})
    rows += load_milestones(connection, generation, ids, position)
    return _state(rows, position)


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
    rows: list[Any] = []
    for chunk in _chunks(event_ids):
        conditions = [facts.c.generation == generation, facts.c.event_id.in_(chunk)]
        if position is not None:
            conditions.append(facts.c.known_from <= position)
        rows += _rows(connection, *conditions)
    return rows
