"""As-of questions from the nearest snapshot: load its part of the state, fold what came after.

The cost is the snapshot's part (one quarter's share) plus the events since the snapshot,
not the whole log. A later event on a stream the part does not hold brings that stream's
history, read back from the log up to the snapshot, before it is folded (see
`projections.snapshots.parts` for why whole streams make that enough). A board question
folds only the events a board can depend on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import partial

from sqlalchemy.engine import Connection

from catalogue import (
    EventCorrected,
    EventRetracted,
    MilestoneProgressReported,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdate,
    Quarter,
)
from catalogue.streams import milestone_stream
from eventstore import EventStore, RecordedEvent
from projections.errors import ProjectionError
from projections.fold.codec import state_from_json
from projections.fold.decoding import Decoded, DecodeError, decode_event
from projections.fold.kinds import AMENDMENTS, BOARD
from projections.fold.partial import collector_paused, fold_onto
from projections.fold.records import Record
from projections.fold.state import PlanState, fold, gap_of
from projections.notices import Notice, tell
from projections.readmodels.binding import unbound
from projections.snapshots.content import digest
from projections.snapshots.parts import merged, streams_of
from projections.snapshots.registry import has_snapshot_tables, nearest


class SnapshotCorrupt(ProjectionError):
    """A stored state that no longer matches its recorded SHA-256."""


def start_from_snapshot(store: EventStore, connection: Connection, quarter: Quarter,
                        position: int, *, after: int, narrative: bool,
                        notice: Notice | None = None) -> PlanState | None:
    """`quarter`'s state at `position`, from its latest snapshot after position `after`.

    None when there is no such snapshot, or its state is in a form this code cannot read
    (the caller then starts from elsewhere). A snapshot that fails its check — its head
    hash is not the log's at its position, or a stored state does not match its SHA-256 —
    is never answered from: `notice` is told why, and None is returned.
    """
    if not has_snapshot_tables(connection):
        return None
    stems = ("board_state", "narrative_state") if narrative else ("board_state",)
    found = nearest(connection, quarter, position, after=after, stems=stems)
    if found is None:
        return None
    snapshot_id, base, head_hash, texts = found
    problem = unbound(connection, f"snapshot {snapshot_id}", base, head_hash)
    if problem is not None:
        tell(notice, f"{problem}: not used, answering from the log")
        return None
    with collector_paused():
        try:
            state = stored_state(snapshot_id, base, texts)
        except SnapshotCorrupt as error:
            tell(notice, f"{error}: not used, answering from the log")
            return None
        if state is None:
            return None
        continue_fold(store, state, position, board_of=None if narrative else quarter)
    return state





def stored_state(snapshot_id: int, position: int,
                 texts: Mapping[str, tuple[str, str]]) -> PlanState | None:
    """A snapshot's state from its stored parts, each as (text, recorded SHA-256).

    Raises `SnapshotCorrupt` when a part does not match its hash; None when the parts are
    in a form this code cannot read (written by a version with another event schema).
    """
    for stem, (text, recorded) in texts.items():
        if digest(text) != recorded:
            raise SnapshotCorrupt(
                f"snapshot {snapshot_id}: its stored {stem.replace('_', ' ')} does not match "
                f"its SHA-256; run `opslog snapshot verify {snapshot_id}`")
    try:
        state = merged(*(state_from_json(text) for text, _ in texts.values()))
    except (ValueError, KeyError, TypeError):
        return None
    state.position = position
    return state


def continue_fold(store: EventStore, state: PlanState, to_position: int, *,
                  board_of: Quarter | None = None) -> PlanState:
    """Fold the events after `state.position` up to `to_position` into `state`; for the
    board of one quarter (`board_of`), only the events that board can depend on."""
    base = state.position
    if to_position <= base:
        return state
    types = sorted(BOARD | AMENDMENTS) if board_of is not None else None
    events = list(store.read_all(from_position=base + 1, to_position=to_position,
                                 types=types))
    beyond = set() if board_of is None else _born_beyond(events, board_of)
    tail: list[Decoded] = []
    first_versions: dict[str, int] = {}
    gaps = []
    for recorded in events:
        if recorded.stream_id in beyond:
            continue
        try:
            item = decode_event(recorded)
        except DecodeError as error:
            gaps.append(gap_of(recorded, error))
            continue
        if board_of is not None and not _concerns_board(item):
            continue
        tail.append(item)
        first_versions.setdefault(item.stream_id, recorded.version)
    for item in tail:
        if isinstance(item.event, OperationalUpdate) and item.event.milestone_id is not None:
            # where the update is reported, and what it is evidence of, is the milestone's
            first_versions.setdefault(milestone_stream(item.event.milestone_id), WHOLE)
    return fold_onto(state, tail, to_position, partial(_histories, store, first_versions),
                     gaps)


UNMOVING = frozenset((MilestoneScheduled.type_name, MilestoneProgressReported.type_name,
                      MilestoneWithdrawn.type_name))


def _born_beyond(events: list[RecordedEvent], quarter: Quarter) -> set[str]:
    """Milestone streams begun after the snapshot, due after `quarter`, and only reported on
    or withdrawn since: nothing moves them, so they cannot be on `quarter`'s board, and
    their events need not even be decoded."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    births: dict[str, RecordedEvent] = {}
    for recorded in events:
        kinds[recorded.stream_id][recorded.type] += 1
        if recorded.type == MilestoneScheduled.type_name and recorded.version == 1:
            births[recorded.stream_id] = recorded
    beyond = set()
    for stream_id, birth in births.items():
        seen = kinds[stream_id]
        if set(seen) <= UNMOVING and seen[MilestoneScheduled.type_name] == 1:
            try:
                event = decode_event(birth).event
            except DecodeError:
                continue  # folded as a gap with the rest of the tail
            if isinstance(event, MilestoneScheduled) and event.due_quarter > quarter:
                beyond.add(stream_id)
    return beyond


def _concerns_board(item: Decoded) -> bool:
    event = item.event
    if isinstance(event, EventCorrected | EventRetracted):
        return event.target_type in BOARD
    return True


WHOLE = 2**62
"""A stream's version past any real one: its whole history up to the state's position."""


def _histories(store: EventStore, first_versions: Mapping[str, int], state: PlanState,
               tail: Sequence[Decoded]) -> list[Record]:
    """The history, as of the state's position, of every stream the tail continues (from
    the version in `first_versions`) but the state does not hold. A stream whose first
    event in the tail is its version 1 had no history; any other had its earlier versions
    at or before the state's position."""
    held = streams_of(state)
    records: list[Record] = []
    for stream_id, version in first_versions.items():
        if version == 1 or stream_id in held:
            continue
        events = [recorded for recorded in store.read_stream(stream_id, to_version=version - 1)
                  if recorded.position <= state.position]
        records += fold(events).records.values()
    return records
