"""Making snapshots: one quarter at one cut-off, or every missing one of every closed quarter.

Returns arrive weeks after a quarter closes, so the quarter-close snapshot of a quarter is
cut off at the end of a grace period after its close (default 30 days: midnight London,
30 days after the quarter's last day ends), not at the close itself: late returns for the
quarter are in it. It is taken once that time has passed, for every quarter of the plan
from its first (the earliest quarter any milestone is due in or any update is effective
in), not only those after the first recorded event: a plan recorded late is snapshotted
from its start, each quarter as the log knew it at its own cut-off.

A cut-off time is mapped to a position under the log's append lock, after checking that the
time has passed. Every commit still to come then takes its recorded time after the lock and
after that time, so the same cut-off time always names the same position: a quarter's close
gives the same snapshot whether it is taken on time, late, or again after a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from catalogue import (
    UPDATE_TYPES,
    EventCorrected,
    MilestoneRescheduled,
    MilestoneScheduled,
    OperationalUpdate,
    Quarter,
    UnknownEventType,
    from_recorded,
)
from catalogue.periods import LONDON, london_midnight
from catalogue.precision import parse_precise
from catalogue.reported import declared_on
from eventstore import GENESIS_HASH, EventStore
from eventstore.checkpoints import sign_if_keyed
from eventstore.tables import events
from eventstore.writer import lock_log
from projections.errors import ProjectionError
from projections.fold.reported import reported_by
from projections.fold.state import PlanState, fold
from projections.snapshots.content import snapshot_content
from projections.snapshots.registry import (
    SnapshotInfo,
    find_snapshot,
    insert_snapshot,
    snapshot_keys,
)

DEFAULT_GRACE_DAYS = 30
"""Days after a quarter's close before its quarter-close snapshot is cut off."""


def grace_ends(quarter: Quarter, grace_days: int = DEFAULT_GRACE_DAYS) -> datetime:
    """The quarter-close snapshot's cut-off: midnight London, `grace_days` days after the
    quarter's close (the close itself for 0), whatever the clock changes in between."""
    if grace_days < 0:
        raise ValueError("grace_days must not be negative")
    return london_midnight(quarter.end_day + timedelta(days=grace_days))


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
           head_hash: str, maker: Maker, reported: date | None = None) -> Taken:
    content = snapshot_content(state, quarter, cutoff_at, head_hash, reported)
    with store.engine.begin() as connection:
        existing = find_snapshot(connection, quarter, content.position, reported)
        checkpoint_id = None if existing is not None else sign_if_keyed(
            connection, store.signing, content.position)
        created = insert_snapshot(connection, content, opslog_version=maker.opslog_version,
                                  created_at=maker.now, created_by=maker.made_by,
                                  checkpoint_id=checkpoint_id)
        info = find_snapshot(connection, quarter, content.position, reported)
    assert info is not None
    return Taken(info, created)


def take_snapshot(store: EventStore, quarter: Quarter, cutoff_at: datetime,
                  maker: Maker, reported: date | None = None) -> Taken:
    """The snapshot of `quarter` at `cutoff_at`: made now, or the one already stored.

    With `reported`, it is cut on the declared date too: only what the sources had
    reported by then, of what was recorded by `cutoff_at` (`projections.fold.reported`),
    at the position of the last such event, so that asking again after the log grew with
    nothing reported by then finds the same snapshot."""
    [(position, head_hash)] = settle(store, [cutoff_at], maker.now)
    if reported is not None:
        position, head_hash = reported_position(store, position, reported)
    with store.engine.connect() as connection:
        existing = find_snapshot(connection, quarter, position, reported)
    if existing is not None:
        return Taken(existing, False)
    state = None if reported is not None else resumed_to(store, quarter, position)
    if state is None:
        state = folded_to(store, position, reported)
    return _store(store, state, quarter, cutoff_at, head_hash, maker, reported)


def resumed_to(store: EventStore, quarter: Quarter, position: int) -> PlanState | None:
    """`quarter`'s state at `position` from its latest earlier snapshot (checked against
    the log and its hashes) and the events after it, or None without one. Its parts are
    those of a fold from position 1 (`projections.snapshots.parts`), so the snapshot made
    from it is the same to the byte, and `snapshot verify` still checks it against a fold
    of the whole log. A snapshot cut on a declared date holds a filtered state and is
    never continued from."""
    from projections.snapshots.resume import start_from_snapshot

    with store.engine.connect() as connection:
        return start_from_snapshot(store, connection, quarter, position, after=0,
                                   narrative=True)


def reported_position(store: EventStore, position: int, day: date) -> tuple[int, str]:
    """The last position up to `position` whose event was reported by `day` (0 if none),
    and the chain's hash there: where a snapshot cut on that declared date stands."""
    last = 0
    for event in reported_by(store.read_all(to_position=position), day):
        last = event.position
    if last == 0:
        return 0, GENESIS_HASH
    (event,) = store.read_all(from_position=last, to_position=last)
    return last, event.hash


def declared_cut(quarter: Quarter, grace_days: int = DEFAULT_GRACE_DAYS) -> date:
    """The declared date a quarter-close snapshot of back-filled history is cut on: the
    last day of the quarter's grace period (30 July 2018 for 2018-19 Q1, 30 days)."""
    return (grace_ends(quarter, grace_days).astimezone(LONDON) - timedelta(days=1)).date()


def back_filled(store: EventStore, cuts: Sequence[tuple[date, int]]) -> list[bool]:
    """For each (declared date, recorded cut-off position): whether what was reported by
    that date differs from the log up to that position, i.e. history reported by then was
    recorded after it. One read of the log, whatever the number of cuts."""
    if not cuts:
        return []
    counts = [0] * len(cuts)
    highest = [0] * len(cuts)
    for event in store.read_all():
        day = declared_on(event.metadata, event.recorded_at)
        for index, (cut, _) in enumerate(cuts):
            if day <= cut:
                counts[index] += 1
                highest[index] = event.position
    return [not (count == position and last == position)
            for count, last, (_, position) in zip(counts, highest, cuts, strict=True)]


def folded_to(store: EventStore, position: int, reported: date | None) -> PlanState:
    """The log folded up to `position`, keeping only what was reported by `reported` (when
    given); its position is `position` either way, as a snapshot records it."""
    events = store.read_all(to_position=position)
    state = fold(events if reported is None else reported_by(events, reported))
    state.position = position
    return state


_PLANNED = ("MilestoneScheduled", "MilestoneRescheduled", "EventCorrected", *UPDATE_TYPES)


def first_quarter(store: EventStore) -> Quarter | None:
    """The plan's first quarter: the earliest any milestone is due in (or rescheduled to or
    from) or any update is effective in, counting every value a correction ever gave;
    None for a log with neither."""
    found: list[Quarter] = []
    for recorded in store.read_all(types=_PLANNED):
        try:
            event = from_recorded(recorded).event
        except UnknownEventType:
            continue
        if isinstance(event, MilestoneScheduled):
            found.append(event.due_quarter)
        elif isinstance(event, MilestoneRescheduled):
            found += (event.from_quarter, event.to_quarter)
        elif isinstance(event, OperationalUpdate):
            found.append(Quarter.containing(event.effective_date))
        elif isinstance(event, EventCorrected):
            found += _corrected_quarters(event)
    return min(found, default=None)


def _corrected_quarters(event: EventCorrected) -> list[Quarter]:
    changes = event.changes
    quarters = []
    if isinstance(changes.get("due_quarter"), str):
        quarters.append(Quarter.parse(changes["due_quarter"]))
    if isinstance(changes.get("effective_date"), str):
        quarters.append(Quarter.containing(parse_precise(changes["effective_date"])))
    return quarters


def closed_quarters(store: EventStore, now: datetime,
                    grace_days: int = DEFAULT_GRACE_DAYS) -> list[Quarter]:
    """Every quarter of the plan, from its first, whose grace period has ended by `now`."""
    quarter = first_quarter(store)
    quarters = []
    while quarter is not None and grace_ends(quarter, grace_days) <= now:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def take_closed_quarters(store: EventStore, maker: Maker,
                         on_taken: Callable[[Taken], None] | None = None,
                         grace_days: int = DEFAULT_GRACE_DAYS) -> CatchUp:
    """Make every missing snapshot of every closed quarter, cut off `grace_days` after the
    quarter's close.

    Self-healing: a run after downtime, or after a crash part-way, makes exactly the
    snapshots an on-time run would have, and a repeated run makes none. The log is folded
    once, in position order, however many quarters are missing.
    """
    started = time.perf_counter()
    outcome = CatchUp(closed=closed_quarters(store, maker.now, grace_days))
    cutoffs = settle(store, [grace_ends(quarter, grace_days) for quarter in outcome.closed],
                     maker.now)
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
        taken = _store(store, state, quarter, grace_ends(quarter, grace_days), head_hash,
                       maker)
        outcome.taken.append(taken)
        if on_taken is not None:
            on_taken(taken)
    _take_reported(store, maker, outcome, cutoffs, grace_days, on_taken)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _take_reported(store: EventStore, maker: Maker, outcome: CatchUp,
                   cutoffs: Sequence[tuple[int, str]], grace_days: int,
                   on_taken: Callable[[Taken], None] | None) -> None:
    """History recorded late: for each closed quarter whose sources had reported, by the
    end of its grace period, what the log did not hold then, also the snapshot cut on that
    declared date (`declared_cut`), as of now. None for a log recorded as it happened."""
    cuts = [(declared_cut(quarter, grace_days), position)
            for quarter, (position, _) in zip(outcome.closed, cutoffs, strict=True)]
    for quarter, (day, _), late in zip(outcome.closed, cuts, back_filled(store, cuts),
                                       strict=True):
        if not late:
            continue
        taken = take_snapshot(store, quarter, maker.now, maker, day)
        if not taken.created:
            continue
        outcome.taken.append(taken)
        if on_taken is not None:
            on_taken(taken)
