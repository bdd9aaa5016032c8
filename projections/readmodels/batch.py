"""One batch of the runner: fold events into the persisted facts and board, in the caller's
transaction.

The batch loads only what it needs — the records that corrections in it point at, the
records of every milestone it touches, and the plan's structure (kept between batches) —
folds the events into that partial state, and writes back the versions it made and the
board rows of the milestones it touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalogue import (
    EventCorrected,
    EventRetracted,
    Quarter,
    StatusScaleAdopted,
    StatusScaleDefined,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from projections.errors import InvalidEvent, ProjectionFailed
from projections.fold.cutoff import NOW
from projections.fold.decoding import Decoded
from projections.fold.kinds import STRUCTURE
from projections.fold.records import Record, quarter_number, quarter_of_number, version_keys
from projections.fold.spans import write_spans
from projections.fold.state import PlanState, evolve
from projections.fold.views import MilestoneView, PlanView
from projections.quarter.board import BoardRow, board_row
from projections.readmodels.bulk import insert_rows
from projections.readmodels.loading import Checkpoint, load_records, rows_in
from projections.readmodels.rows import (
    BOARD_DIGESTED,
    notes_text,
    records_from_rows,
    row_digest,
    style_text,
    version_row,
)
from projections.readmodels.tables import board, facts

CHUNK = 500


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    position: int
    """The last position applied."""
    horizon: int | None
    structure: list[Record]
    """The plan's structure after the batch, for the next one."""
    failure: ProjectionFailed | None = None


def load_structure(connection: Connection, generation: int) -> list[Record]:
    """Themes, topics and units as currently known (all their versions)."""
    rows = connection.execute(sa.select(facts).where(
        facts.c.generation == generation, facts.c.type.in_(STRUCTURE))).mappings()
    return records_from_rows(rows)


def apply_batch(connection: Connection, checkpoint: Checkpoint, events: Sequence[Decoded],
                structure: Sequence[Record], *, through: int | None = None) -> BatchOutcome:
    """Fold `events` into the generation's tables; stop before the first that fails.

    `through` is the batch's last position, reached when nothing fails even if the events
    there could not be read (and are not among `events`).
    """
    generation = checkpoint.generation
    state = PlanState(checkpoint.position)
    for record in structure:
        state.add(record)
    loaded = _load_targets(connection, generation, state, events)
    failure = None
    for decoded in events:
        try:
            evolve(state, decoded)
        except InvalidEvent as error:
            failure = ProjectionFailed(position=decoded.position, event_id=decoded.event_id,
                                       type=decoded.type, reason=str(error),
                                       last_good=state.position)
            break
    if failure is None and through is not None:
        state.position = max(state.position, through)
    created = [record for record in state.records.values()
               if record.position > checkpoint.position]
    changed = [state.records[event_id] for event_id in loaded]
    _write_facts(connection, generation, created, changed, loaded)
    touched, quarters = touched_by(created, changed)
    changed_spans = set(touched)
    horizon = checkpoint.horizon
    new_horizon = max([*quarters, *([horizon] if horizon is not None else [])], default=None)
    if horizon is not None and new_horizon is not None and new_horizon > horizon:
        # Only a milestone still open at the old horizon goes on to later quarters' boards,
        # or one reported on in that quarter: a report there counts from the next quarter
        # on, so it may bring back one that was off the old horizon's board as delivered.
        open_there = sa.select(board.c.milestone_id).where(
            board.c.generation == generation, board.c.quarter_number == horizon,
            board.c.status.not_in(("delivered", "withdrawn")))
        reported_there = sa.select(facts.c.milestone_id).where(
            facts.c.generation == generation, facts.c.type == "MilestoneProgressReported",
            facts.c.quarter == horizon, facts.c.known_to.is_(None))
        for row in connection.execute(sa.union(open_there, reported_there)):
            touched[row[0]] = min(touched.get(row[0], horizon + 1), horizon + 1)
    for milestone_id in _under_changed_structure(connection, generation, created + changed):
        touched[milestone_id] = 0
    if touched and new_horizon is not None:
        _load_milestones(connection, generation, state, set(touched))
        write_spans(connection, generation, state, checkpoint.position, changed_spans)
        _write_board(connection, generation, state, touched, new_horizon)
    return BatchOutcome(
        position=state.position,
        horizon=new_horizon,
        structure=[record for record in state.records.values() if record.type in STRUCTURE],
        failure=failure,
    )


FROM_THEIR_QUARTER = ("MilestoneProgressReported", "MilestoneWithdrawn")
"""New facts that change a milestone's board rows only from their own quarter on; any
other change (a schedule, a move, a correction) may change all of its rows."""


def touched_by(created: list[Record], changed: list[Record]) -> tuple[dict[str, int], list[int]]:
    """Milestones whose board rows may change, each with the first quarter that may; and
    every quarter the batch's facts are about."""
    touched: dict[str, int] = {}
    quarters: list[int] = []
    for record in created + changed:
        from_own = record.type in FROM_THEIR_QUARTER and len(record.versions) == 1
        for version in record.versions:
            keys = version_keys(record, version)
            numbers = [number for number in (keys.quarter, keys.from_quarter)
                       if number is not None]
            if record.type != "IndicatorValueRecorded":  # a value's period sets no horizon
                quarters += numbers
            if keys.milestone_id is not None:
                first = min(numbers) if from_own and numbers else 0
                touched[keys.milestone_id] = min(touched.get(keys.milestone_id, first), first)
    return touched, quarters


def _load_targets(connection: Connection, generation: int, state: PlanState,
                  events: Sequence[Decoded]) -> dict[str, int]:
    """Load the records the batch's corrections point at; return how many versions each had."""
    here = {decoded.event_id for decoded in events}
    targets = {str(decoded.event.target_event_id) for decoded in events
               if isinstance(decoded.event, EventCorrected | EventRetracted)}
    wanted = targets - here - state.records.keys()
    loaded: dict[str, int] = {}
    for record in records_from_rows(load_records(connection, generation, wanted)):
        state.add(record)
    for event_id in targets - here:
        if event_id in state.records:
            loaded[event_id] = len(state.records[event_id].versions)
    return loaded


def _write_facts(connection: Connection, generation: int, created: list[Record],
                 changed: list[Record], loaded: dict[str, int]) -> None:
    inserts = [version_row(generation, record, version)
               for record in created for version in record.versions]
    for record in changed:
        before = loaded[record.event_id]
        inserts += [version_row(generation, record, version)
                    for version in record.versions[before:]]
        for version in record.versions[:before]:
            row = version_row(generation, record, version)
            connection.execute(
                sa.update(facts)
                .where(facts.c.generation == generation, facts.c.event_id == record.event_id,
                       facts.c.known_from == version.known_from)
                .values(known_to=row["known_to"], retraction=row["retraction"],
                        row_digest=row["row_digest"]))
    insert_rows(connection, facts, inserts)


def _under_changed_structure(connection: Connection, generation: int,
                             records: Iterable[Record]) -> set[str]:
    """Milestones whose board rows show a theme, topic or unit the batch (re)defined; every
    one on a board when a status scale is defined or adopted (its labels may change)."""
    conditions = []
    for record in records:
        for version in record.versions:
            event = version.event
            if isinstance(event, ThemeDefined):
                conditions.append(board.c.theme_number == event.number)
            elif isinstance(event, TopicDefined):
                conditions.append(board.c.topic_id == event.topic_id)
            elif isinstance(event, UnitRegistered):
                conditions.append(board.c.owner_unit == event.unit_id)
            elif isinstance(event, StatusScaleDefined | StatusScaleAdopted):
                conditions.append(sa.true())
    if not conditions:
        return set()
    query = sa.select(board.c.milestone_id).distinct().where(
        board.c.generation == generation, sa.or_(*conditions))
    return {row[0] for row in connection.execute(query)}


def _load_milestones(connection: Connection, generation: int, state: PlanState,
                     milestone_ids: set[str]) -> None:
    """Add the current versions of every record of these milestones not already held, and
    the last of each retracted one (its row notes the retraction)."""
    rows = rows_in(connection, facts.c.milestone_id, milestone_ids,
                   facts.c.generation == generation,
                   sa.or_(facts.c.known_to.is_(None), facts.c.retraction.is_not(None)))
    for record in records_from_rows(row for row in rows if row["event_id"] not in state.records):
        state.add(record)


def _write_board(connection: Connection, generation: int, state: PlanState,
                 milestone_ids: dict[str, int], horizon: int) -> None:
    """Replace each milestone's board rows from its first changed quarter to the horizon."""
    relevant = PlanState(state.position)
    for record in state.records.values():
        if record.type in STRUCTURE or any(
                version_keys(record, version).milestone_id in milestone_ids
                for version in record.versions):
            relevant.add(record)
    view = PlanView.build(relevant.sorted(), NOW)
    by_first: dict[int, list[str]] = {}
    for milestone_id, first in sorted(milestone_ids.items()):
        by_first.setdefault(first, []).append(milestone_id)
    for first, ids in sorted(by_first.items()):
        for start in range(0, len(ids), CHUNK):
            connection.execute(sa.delete(board).where(
                board.c.generation == generation, board.c.quarter_number >= first,
                board.c.milestone_id.in_(ids[start:start + CHUNK])))
    rows = []
    for milestone_id, first in sorted(milestone_ids.items()):
        milestone = view.milestones.get(milestone_id)
        if milestone is None or milestone.schedule is None:
            continue
        for number in range(max(first_quarter(milestone), first), horizon + 1):
            row = board_row(view, milestone, quarter_of_number(number))
            if row is not None:
                rows.append(board_values(generation, row))
    insert_rows(connection, board, rows)


def first_quarter(milestone: MilestoneView) -> int:
    assert milestone.schedule is not None
    quarters: list[Quarter] = [milestone.schedule.event.due_quarter]
    for move in milestone.reschedules:
        quarters += [move.event.from_quarter, move.event.to_quarter]
    return quarter_number(min(quarters))


def board_values(generation: int, row: BoardRow) -> dict[str, object]:
    """The table row of a `BoardRow`, with the digest of its content."""
    values: dict[str, object] = {
        "generation": generation,
        "quarter_number": quarter_number(row.quarter),
        "milestone_id": row.milestone_id,
        "quarter": str(row.quarter),
        "title": row.title,
        "theme_number": row.theme_number,
        "theme_title": row.theme_title,
        "topic_id": row.topic_id,
        "topic_title": row.topic_title,
        "owner_unit": row.owner_unit,
        "owner_name": row.owner_name,
        "due_quarter": str(row.due_quarter),
        "carried_over": row.carried_over,
        "status": row.status,
        "symbol": "",
        "rescheduled_to": str(row.rescheduled_to) if row.rescheduled_to else None,
        "last_report_quarter": str(row.last_report_quarter) if row.last_report_quarter else None,
        "last_report_date": row.last_report_date,
        "source_position": row.source.position,
        "source_event_id": row.source.event_id,
        "source_type": row.source.type,
        "source_recorded_at": row.source.recorded_at,
        "corrections": len(row.notes),
        "notes": notes_text(row.notes),
        "narrative": row.narrative,
        "sort_theme": row.sort_key[0],
        "sort_topic": row.sort_key[1],
        "sort_milestone": row.sort_key[2],
        "style": style_text(row.status_style),
        "evidence": row.evidence,
    }
    values["row_digest"] = row_digest(values, BOARD_DIGESTED)
    return values
