"""Making snapshots: one quarter at one cut-off, or every missing one of every closed quarter.

A cut-off time is mapped to a position under the log's append lock, after checking that the
time has passed. Every commit still to come then takes its recorded time after the lock and
after that time, so the same cut-off time always names the same position: a quarter's close
gives the same snapshot whether it is taken on time, late, or again after a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from catalogue import Quarter
from eventstore import GENESIS_HASH, EventStore
from eventstore.tables import events
from eventstore.writer import lock_log
from projections.errors import ProjectionError
from projections.fold.state import PlanState, fold
from projections.snapshots.content import snapshot_content
from projections.snapshots.registry import (
    SnapshotInfo,
    find_snapshot,
    insert_snapshot,
    snapshot_keys,
)


class CutoffNotPassed(ProjectionError):
    """A cut-off in the future: what the log will say then is not known yet."""


@dataclass(frozen=True, slots=True)
class Maker:
    """Who makes snapshots, with which code, at what time."""

    made_by: str
    """``job:quarter-close`` or the actor who asked."""
    opslog_version: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Taken:
    """A snapshot asked for: the one stored, and whether this call stored it."""

    info: SnapshotInfo
    created: bool


@dataclass(slots=True)
class CatchUp:
    """What one run of the quarter-close work did."""

    closed: list[Quarter] = field(default_factory=list)
    taken: list[Taken] = field(default_factory=list)
    events_folded: int = 0
    seconds: float = 0.0

    @property
    def created(self) -> list[Taken]:
        return [taken for taken in self.taken if taken.created]


def settle(store: EventStore, times: Sequence[datetime], now: datetime) -> list[tuple[int, str]]:
    """Each cut-off time's position and the chain hash there, read under the append lock."""
    for moment in times:
        if moment > now:
            raise CutoffNotPassed(f"{moment.isoformat()} has not passed yet (now is "
                                  f"{now.isoformat()}): a snapshot's cut-off must be in the past")
    found: list[tuple[int, str]] = []
    if not times:
        return found
    with store.engine.begin() as connection:
        lock_log(connection)
        for moment in times:
            position = int(connection.execute(sa.select(sa.func.max(events.c.position)).where(
                events.c.recorded_at <= moment)).scalar() or 0)
            head_hash = GENESIS_HASH if position == 0 else str(connection.execute(
                sa.select(events.c.hash).where(events.c.position == position)).scalar_one())
            found.append((position, head_hash))
    return found


def _store(store: EventStore, state: PlanState, quarter: Quarter, cutoff_at: datetime,
           head_hash: str, maker: Maker) -> Taken:
    content = snapshot_content(state, quarter, cutoff_at, head_hash)
    with store.engine.begin() as connection:
        created = insert_snapshot(connection, content, opslog_version=maker.opslog_version,
                                  created_at=maker.now, created_by=maker.made_by)
        info = find_snapshot(connection, quarter, content.position)
    assert info is not None
    return Taken(info, created)


def take_snapshot(store: EventStore, quarter: Quarter, cutoff_at: datetime,
                  maker: Maker) -> Taken:
    """The snapshot of `quarter` at `cutoff_at`: made now, or the one already stored."""
    [(position, head_hash)] = settle(store, [cutoff_at], maker.now)
    with store.engine.connect() as connection:
        existing = find_snapshot(connection, quarter, position)
    if existing is not None:
        return Taken(existing, False)
    state = fold(store.read_all(to_position=position))
    return _store(store, state, quarter, cutoff_at, head_hash, maker)


def closed_quarters(store: EventStore, now: datetime) -> list[Quarter]:
    """Every quarter of the log's life that has closed by `now`: from the quarter its first
    event was recorded in (earlier closes would all be empty snapshots at position 0)."""
    first = next(iter(store.read_all(limit=1)), None)
    if first is None:
        return []
    quarters = []
    quarter = Quarter.at(first.recorded_at)
    while quarter.closes_at <= now:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def take_closed_quarters(store: EventStore, maker: Maker,
                         on_taken: Callable[[Taken], None] | None = None) -> CatchUp:
    """Make every missing snapshot of every closed quarter, at the quarter's close.

    Self-healing: a run after downtime, or after a crash part-way, makes exactly the
    snapshots an on-time run would have, and a repeated run makes none. The log is folded
    once, in position order, however many quarters are missing.
    """
    started = time.perf_counter()
    outcome = CatchUp(closed=closed_quarters(store, maker.now))
    cutoffs = settle(store, [quarter.closes_at for quarter in outcome.closed], maker.now)
    with store.engine.connect() as connection:
        existing = snapshot_keys(connection)
    state = PlanState()
    for quarter, (position, head_hash) in zip(outcome.closed, cutoffs, strict=True):
        if (str(quarter), position) in existing:
            continue
        if position > state.position:
            before = state.position
            fold(store.read_all(from_position=before + 1, to_position=position), state)
            outcome.events_folded += state.position - before
        taken = _store(store, state, quarter, quarter.closes_at, head_hash, maker)
        outcome.taken.append(taken)
        if on_taken is not None:
            on_taken(taken)
    outcome.seconds = time.perf_counter() - started
    return outcome
