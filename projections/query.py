"""The read side's front door: the board and the report for a quarter at any cut-off.

When the persisted read models exist, a question is answered from them — only the rows
the quarter needs, as known at the cut-off — plus a fold of any events recorded after the
runner's checkpoint. When a snapshot of the quarter lies between that checkpoint (or the
start of the log) and the cut-off, the question starts from the nearest such snapshot
instead and folds only the events after it. Otherwise the log is folded from position 1.
Every way gives the same answer, to the byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import EventCorrected, EventRetracted, Quarter, QuarterOverviewWritten
from eventstore import EventStore
from projections.errors import InvalidEvent, ProjectionError, ProjectionFailed, ReadModelDrift
from projections.fold.cutoff import Cutoff
from projections.fold.decoding import DecodeError, decode_event
from projections.fold.records import keys_of, period_quarter
from projections.fold.state import PlanState, evolve, fold, gap_of
from projections.fold.views import PlanView
from projections.quarter.board import Board, board_from_view
from projections.quarter.report import Report, report_from_view
from projections.readmodels.binding import checkpoint_problem
from projections.readmodels.loading import (
    checkpoint,
    load_board_state,
    load_milestones,
    load_records,
    load_report_state,
    load_values,
    quarantined,
)
from projections.readmodels.rows import records_from_rows
from projections.readmodels.tables import checkpoints
from projections.snapshots.resume import Notice, start_from_snapshot

Loader = Callable[[Connection, int, Quarter, int, date | None], PlanState]


class CutoffError(ProjectionError):
    """A cut-off that names no point of the log."""


def resolve_cutoff(store: EventStore, *, as_of: datetime | None = None,
                   at_position: int | None = None, effective: date | None = None) -> Cutoff:
    """Turn ``--as-of`` / ``--at-position`` / ``--effective-at`` into a `Cutoff`."""
    if as_of is not None and at_position is not None:
        raise CutoffError("give --as-of or --at-position, not both")
    if as_of is not None:
        return Cutoff(store.position_at(as_of), effective, as_of)
    if at_position is not None:
        head = store.head().position
        if not 0 <= at_position <= head:
            raise CutoffError(f"position {at_position} is not in the log (head is {head})")
        return Cutoff(at_position, effective)
    return Cutoff(None, effective)


def default_quarter(cutoff: Cutoff, now: datetime) -> Quarter:
    """The quarter a question is about when none is named: that of its effective date,
    else of its ``--as-of`` time, else of `now`."""
    if cutoff.effective is not None:
        return Quarter.containing(cutoff.effective)
    return Quarter.at(cutoff.as_of or now)


def board(store: EventStore, quarter: Quarter, cutoff: Cutoff,
          notice: Notice | None = None) -> Board:
    """The milestone board for `quarter` at `cutoff` (`notice` hears of any stored answer
    that failed its check and was not used)."""
    view = _view(store, quarter, cutoff, load_board_state, narrative=False, notice=notice)
    return board_from_view(view, quarter)


def report(store: EventStore, quarter: Quarter, cutoff: Cutoff,
           notice: Notice | None = None) -> Report:
    """The quarterly narrative for `quarter` at `cutoff` (`notice` as for `board`)."""
    view = _view(store, quarter, cutoff, load_report_state, narrative=True, notice=notice)
    return report_from_view(view, quarter)


def _view(store: EventStore, quarter: Quarter, cutoff: Cutoff, loader: Loader, *,
          narrative: bool, notice: Notice | None) -> PlanView:
    """Checked read models or snapshot first; whatever fails its check is named to `notice`
    and left aside, and the log answers instead."""
    head = store.head().position
    position = head if cutoff.position is None else cutoff.position
    unused = " not used, answering from the log"
    with _snapshot(store) as connection:
        live = checkpoint(connection) if _has_read_models(connection) else None
        if live is not None and (problem := checkpoint_problem(connection, live)):
            _tell(notice, f"{problem}:{unused}")
            live = None
        covered = 0 if live is None else live.position
        resumed = None
        if position > covered and cutoff.effective is None:
            resumed = start_from_snapshot(store, connection, quarter, position, after=covered,
                                          narrative=narrative, notice=notice)
        if resumed is not None:
            state = resumed
        elif live is None or live.position == 0:
            state = fold(store.read_all(to_position=position))
        else:
            try:
                state = _from_read_models(store, connection, live.generation, loader, quarter,
                                          min(position, live.position), position, cutoff)
            except ReadModelDrift as drift:
                _tell(notice, f"read models: {drift}:{unused}")
                state = fold(store.read_all(to_position=position))
    return PlanView.build(state, cutoff.at(position))


def _from_read_models(store: EventStore, connection: Connection, generation: int,
                      loader: Loader, quarter: Quarter, base: int, position: int,
                      cutoff: Cutoff) -> PlanState:
    state = loader(connection, generation, quarter, base, cutoff.effective)
    state.gaps = quarantined(connection, generation, base)
    if position > base:
        _fold_tail(store, connection, generation, state, position)
    return state


def _tell(notice: Notice | None, message: str) -> None:
    if notice is not None:
        notice(message)


def _fold_tail(store: EventStore, connection: Connection, generation: int, state: PlanState,
               position: int) -> None:
    """Fold the events after the checkpoint, first loading what they refer to."""
    base = state.position
    decoded = []
    gaps = []
    for recorded in store.read_all(from_position=base + 1, to_position=position):
        try:
            decoded.append(decode_event(recorded))
        except DecodeError as error:
            gaps.append(gap_of(recorded, error))
    targets = {str(item.event.target_event_id) for item in decoded
               if isinstance(item.event, EventCorrected | EventRetracted)}
    for record in records_from_rows(load_records(connection, generation, targets, base)):
        state.add(record)
    keys = [keys_of(version.event, record.occurred_at)
            for record in state.records.values() if record.event_id in targets
            for version in record.versions]
    keys += [keys_of(item.event, item.occurred_at) for item in decoded]
    milestones = {key.milestone_id for key in keys if key.milestone_id is not None}
    rows = load_milestones(connection, generation, milestones, base)
    rows += load_values(connection, generation, base, {
        period_quarter(period) for item in decoded
        if isinstance(item.event, QuarterOverviewWritten)
        for paragraph in item.event.paragraphs for figure in paragraph.figures
        for period in (figure.from_period, figure.to_period)})
    rows = [row for row in rows if row["event_id"] not in state.records]
    for record in records_from_rows(rows):
        state.add(record)
    state.records = state.sorted().records
    for item in decoded:
        try:
            evolve(state, item)
        except InvalidEvent as error:
            raise ProjectionFailed(position=item.position, event_id=item.event_id,
                                   type=item.type, reason=str(error),
                                   last_good=state.position) from error
    for gap in gaps:
        state.skip(gap)
    state.position = max(state.position, position)


def _has_read_models(connection: Connection) -> bool:
    return sa.inspect(connection).has_table(checkpoints.name)


@contextmanager
def _snapshot(store: EventStore) -> Iterator[Connection]:
    """One consistent read of the tables (a snapshot on both backends)."""
    options: dict[str, object]
    if store.engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ"}
    else:
        options = {"sqlite_read_only": True}
    with store.engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection
