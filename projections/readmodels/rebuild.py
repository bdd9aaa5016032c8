"""A rebuild in one pass: fold the whole log in memory, then write each table once.

Catching up batch by batch reloads, per batch, the records the batch continues and
rewrites the board rows of every milestone it touches, so a rebuild made of batches
writes the board again and again. From position 1 nothing needs reloading: the log is
folded into one `PlanState`, and the rows a batched catch-up would leave behind — every
version of every record, each milestone's span versions, each quarter's board up to the
horizon as the log says at the end, the quarantined events — are computed once from it
and bulk-written in one transaction, with the tables' secondary indexes dropped before
and built again after (one sorted build instead of a million index updates).

The rows are the ones `batch.apply_batch` makes: the same functions make them, and
``tests/projections/test_runner.py`` compares a rebuild with a catch-up row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore import EventStore
from projections.errors import InvalidEvent, ProjectionFailed
from projections.fold.cutoff import NOW
from projections.fold.decoding import DecodeError, decode_event
from projections.fold.kinds import STRUCTURE
from projections.fold.partial import collector_paused
from projections.fold.records import quarter_number, quarter_of_number, version_keys
from projections.fold.spans import write_spans
from projections.fold.state import Gap, PlanState, evolve, gap_of
from projections.fold.views import MilestoneView, PlanView
from projections.quarter.board import board_row
from projections.readmodels.batch import board_values, first_quarter, touched_by
from projections.readmodels.bulk import insert_rows
from projections.readmodels.rows import version_row
from projections.readmodels.tables import board, facts, spans


@dataclass(slots=True)
class Folded:
    """The whole log folded: the state, the unreadable events, and where it stopped."""

    state: PlanState
    gaps: list[Gap]
    head_hash: str | None
    """The log's hash at `state.position` (None when the log is empty)."""
    failure: ProjectionFailed | None = None


def fold_log(store: EventStore, to_position: int) -> Folded:
    """Fold the log up to `to_position`, stopping before the first event that cannot be
    applied (unreadable ones are gaps, gone past)."""
    state = PlanState(0)
    gaps: list[Gap] = []
    head_hash: str | None = None
    last_position, last_hash = 0, None
    with collector_paused():
        for recorded in store.read_all(to_position=to_position):
            try:
                decoded = decode_event(recorded)
            except DecodeError as error:
                gaps.append(gap_of(recorded, error))
                last_position, last_hash = recorded.position, recorded.hash
                continue
            try:
                evolve(state, decoded)
            except InvalidEvent as error:
                failure = ProjectionFailed(position=decoded.position,
                                           event_id=decoded.event_id, type=decoded.type,
                                           reason=str(error), last_good=state.position)
                return Folded(state, [gap for gap in gaps if gap.position <= state.position],
                              head_hash, failure)
            head_hash = recorded.hash
            last_position, last_hash = recorded.position, recorded.hash
    if last_position > state.position:  # unreadable events at the end: gone past too
        state.position, head_hash = last_position, last_hash
    return Folded(state, gaps, head_hash)


def write_generation(connection: Connection, generation: int, state: PlanState) -> int | None:
    """Write every row of `state` into the (empty) generation; return its horizon."""
    records = list(state.records.values())
    with indexes_rebuilt(connection, (facts, board, spans)):
        insert_rows(connection, facts, [version_row(generation, record, version)
                                        for record in records for version in record.versions])
        touched, quarters = touched_by(records, [])
        horizon = max(quarters, default=None)
        if touched and horizon is not None:
            write_spans(connection, generation, state, 0, touched)
            insert_rows(connection, board, board_rows(generation, state, touched, horizon))
    return horizon


def board_rows(generation: int, state: PlanState, milestone_ids: dict[str, int],
               horizon: int) -> list[dict[str, object]]:
    """Every board row of these milestones, from their first quarter to the horizon."""
    relevant = PlanState(state.position)
    for record in state.records.values():
        if record.type in STRUCTURE or any(
                version_keys(record, version).milestone_id in milestone_ids
                for version in record.versions):
            relevant.add(record)
    view = PlanView.build(relevant, NOW)
    rows = []
    for milestone_id in sorted(milestone_ids):
        milestone = view.milestones.get(milestone_id)
        if milestone is None or milestone.schedule is None:
            continue
        beyond = _last_named(milestone)
        for number in range(first_quarter(milestone), horizon + 1):
            row = board_row(view, milestone, quarter_of_number(number))
            if row is not None:
                rows.append(board_values(generation, row))
            elif number > beyond:
                break  # past every quarter its facts name, off the board stays off
    return rows


def _last_named(milestone: MilestoneView) -> int:
    """The last quarter any of the milestone's visible facts names (see `spans.span_of`)."""
    assert milestone.schedule is not None
    numbers = [quarter_number(milestone.schedule.event.due_quarter)]
    numbers += [quarter_number(quarter) for move in milestone.reschedules
                for quarter in (move.event.from_quarter, move.event.to_quarter)]
    numbers += [quarter_number(report.event.quarter) for report in milestone.reports]
    numbers += [number for seen in milestone.withdrawals
                if (number := version_keys(seen.record, seen.version).quarter) is not None]
    return max(numbers)


@contextmanager
def indexes_rebuilt(connection: Connection, tables: tuple[sa.Table, ...]) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load and build them again after, in
    the caller's transaction (readers of the live generation see them throughout: on
    SQLite their snapshot predates the drop, on PostgreSQL they wait for the commit)."""
    found = [(table.name, index) for table in tables
             for index in sa.inspect(connection).get_indexes(table.name)
             if not index.get("unique") and index["name"]]
    for _, index in found:
        connection.exec_driver_sql(f'DROP INDEX "{index["name"]}"')
    yield
    for table_name, index in found:
        columns = ", ".join(f'"{column}"' for column in index["column_names"] if column)
        connection.exec_driver_sql(
            f'CREATE INDEX "{index["name"]}" ON "{table_name}" ({columns})')

