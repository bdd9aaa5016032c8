"""The read side's front door: the board and the report for a quarter at any cut-off.

When the persisted read models exist, a question is answered from them — only the rows
the quarter needs, as known at the cut-off — plus a fold of any events recorded after the
runner's checkpoint. Asked with ``catch_up`` (the command line and the service, on the
primary), the read models are first brought up to the cut-off from their own checkpoint,
or built once when they never were (`projections.catching_up`), so that no answer folds
from position 1 and the tail folded in memory is only what a race let in. When a snapshot
of the quarter lies between the checkpoint (or the start of the log) and the cut-off, the
question starts from the nearest such snapshot instead and folds only the events after it.
Only what neither can answer is folded from position 1: a declared-date (``--as-reported``)
question, or one whose read models fail their check with no snapshot to start from.
Every way gives the same answer, to the byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import Quarter
from eventstore import EventStore
from eventstore.checkpoints import covering_checkpoint
from projections.catching_up import catch_up_to
from projections.errors import ProjectionError, ReadModelDrift
from projections.fold.cutoff import Cutoff
from projections.fold.partial import fold_onto, readable
from projections.fold.reported import reported_by
from projections.fold.state import PlanState, fold
from projections.fold.views import PlanView
from projections.notices import Notice, tell
from projections.quarter.board import Board, board_from_view
from projections.readmodels.binding import checkpoint_problem
from projections.readmodels.boards import stored_board
from projections.readmodels.loading import (
    Checkpoint,
    checkpoint,
    load_board_state,
    load_report_state,
    quarantined,
    tail_fetch,
)
from projections.readmodels.tables import checkpoints

# The report and the snapshots are imported where a question needs them: `opslog status`
# answered from the stored board loads neither.
if TYPE_CHECKING:
    from projections.quarter.report import Report

Loader = Callable[[Connection, int, Quarter, int, date | None], PlanState]


class CutoffError(ProjectionError):
    """A cut-off that names no point of the log."""


def resolve_cutoff(store: EventStore, *, as_of: datetime | None = None,
                   at_position: int | None = None, effective: date | None = None,
                   reported: date | None = None) -> Cutoff:
    """Turn ``--as-of`` / ``--at-position`` / ``--effective-at`` / ``--as-reported``
    into a `Cutoff`."""
    if as_of is not None and at_position is not None:
        raise CutoffError("give --as-of or --at-position, not both")
    if as_of is not None:
        return Cutoff(store.position_at(as_of), effective, as_of, reported)
    if at_position is not None:
        head = store.head().position
        if not 0 <= at_position <= head:
            raise CutoffError(f"position {at_position} is not in the log (head is {head})")
        return Cutoff(at_position, effective, reported=reported)
    return Cutoff(None, effective, reported=reported)


def default_quarter(cutoff: Cutoff, now: datetime) -> Quarter:
    """The quarter a question is about when none is named: that of its effective date,
    else of its declared date, else of its ``--as-of`` time, else of `now`."""
    if cutoff.effective is not None:
        return Quarter.containing(cutoff.effective)
    if cutoff.reported is not None:
        return Quarter.containing(cutoff.reported)
    return Quarter.at(cutoff.as_of or now)


def board(store: EventStore, quarter: Quarter, cutoff: Cutoff,
          notice: Notice | None = None, *, catch_up: bool = False) -> Board:
    """The milestone board for `quarter` at `cutoff`: read whole from the board the runner
    keeps when the question is the one it holds (see `projections.readmodels.boards`).
    `notice` hears of any stored answer that failed its check and was not used; with
    `catch_up`, the read models are first brought up to the cut-off (and `notice` hears
    when they had to be built)."""
    with _question(store, cutoff, notice, catch_up) as (connection, position, live):
        if live is not None and cutoff.reported is None:
            try:
                stored = stored_board(connection, live, quarter, cutoff.at(position))
            except ReadModelDrift as drift:
                tell(notice, f"read models: {drift}:{UNUSED}")
                live, stored = None, None
            if stored is not None:
                return stored
        view = _view(store, connection, live, quarter, cutoff.at(position), load_board_state,
                     narrative=False, notice=notice)
    return board_from_view(view, quarter)


def report(store: EventStore, quarter: Quarter, cutoff: Cutoff,
           notice: Notice | None = None, *, catch_up: bool = False) -> Report:
    """The quarterly narrative for `quarter` at `cutoff` (`notice` and `catch_up` as for
    `board`)."""
    from projections.quarter.report import Covering, report_from_view

    with _question(store, cutoff, notice, catch_up) as (connection, position, live):
        view = _view(store, connection, live, quarter, cutoff.at(position), load_report_state,
                     narrative=True, notice=notice)
        signed = covering_checkpoint(connection, position) if position else None
    built = report_from_view(view, quarter)
    if signed is None:
        return built
    return replace(built, covered_by=Covering(signed.id, signed.origin, signed.size,
                                              signed.root.hex(), signed.created_at))


def report_state(store: EventStore, quarter: Quarter, cutoff: Cutoff, since: int,
                 notice: Notice | None = None) -> PlanState | None:
    """The state `quarter`'s report needs at every position from `since` up to `cutoff`'s
    (on the knowledge axis, at `cutoff`'s effective date): the read models' rows as known at
    `since` (or at their checkpoint, when that is earlier), then the events after it. None
    when there are no read models to start from, or they fail their check (named to
    `notice`): the caller folds the log. Declared-date cut-offs are never answered here."""
    assert cutoff.reported is None and cutoff.position is not None
    with _question(store, cutoff, notice) as (connection, position, live):
        if live is None or live.position == 0:
            return None
        try:
            return _from_read_models(store, connection, live, load_report_state, quarter,
                                     position, cutoff.effective, since=since)
        except ReadModelDrift as drift:
            tell(notice, f"read models: {drift}:{UNUSED}")
            return None


UNUSED = " not used, answering from the log"


@contextmanager
def _question(store: EventStore, cutoff: Cutoff, notice: Notice | None,
              catch_up: bool = False) -> Iterator[tuple[Connection, int, Checkpoint | None]]:
    """A consistent read for one question: its position (the head when none is given) and
    the live read models' checkpoint, when they exist and are bound to this log; with
    `catch_up`, first brought up to that position unless the question is on declared
    dates, which the read models do not answer."""
    if catch_up and cutoff.reported is None:
        catch_up_to(store, cutoff.position, notice)
    head = store.head().position
    position = head if cutoff.position is None else cutoff.position
    with _snapshot(store) as connection:
        live = checkpoint(connection) if _has_read_models(connection) else None
        if live is not None and (problem := checkpoint_problem(connection, live)):
            tell(notice, f"{problem}:{UNUSED}")
            live = None
        yield connection, position, live


def _view(store: EventStore, connection: Connection, live: Checkpoint | None,
          quarter: Quarter, cutoff: Cutoff, loader: Loader, *, narrative: bool,
          notice: Notice | None) -> PlanView:
    """The plan at `cutoff` (its position set): from checked read models or a checked
    snapshot first; whatever fails its check is named to `notice` and left aside, and the
    log answers instead."""
    position = cutoff.position
    assert position is not None
    if cutoff.reported is not None:
        return PlanView.build(fold(reported_by(store.read_all(to_position=position),
                                               cutoff.reported)), cutoff)
    from projections.snapshots.resume import start_from_snapshot

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
            state = _from_read_models(store, connection, live, loader, quarter, position,
                                      cutoff.effective)
        except ReadModelDrift as drift:
            tell(notice, f"read models: {drift}:{UNUSED}")
            state = fold(store.read_all(to_position=position))
    return PlanView.build(state, cutoff)


def _from_read_models(store: EventStore, connection: Connection, live: Checkpoint,
                      loader: Loader, quarter: Quarter, position: int,
                      effective: date | None, since: int | None = None) -> PlanState:
    """The rows the quarter needs as at the checkpoint (or at `since`, when earlier), then
    the events recorded since."""
    base = min(position, live.position, position if since is None else since)
    state = loader(connection, live.generation, quarter, base, effective)
    state.gaps = quarantined(connection, live.generation, base)
    if position > base:
        tail, gaps = readable(store.read_all(from_position=base + 1, to_position=position))
        fold_onto(state, tail, position, tail_fetch(connection, live.generation), gaps)
    return state



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
