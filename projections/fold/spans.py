"""Milestone spans: the quarters a milestone is on the board in, and when that changed.

A span is (first quarter, last quarter), the last None when the milestone stays on every
later quarter's board (not yet delivered nor withdrawn). The runner keeps each
milestone's spans as versions known from one position to the next, so a quarter's board
at any position starts from the few milestones whose span covers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from projections.fold.cutoff import Cutoff
from projections.fold.records import Record, quarter_number, quarter_of_number, version_keys
from projections.fold.state import PlanState
from projections.fold.views import MilestoneView, PlanView
from projections.quarter.board import on_board
from projections.readmodels.bulk import insert_rows
from projections.readmodels.tables import spans

Span = tuple[int, int | None]


def span_of(view: PlanView, milestone: MilestoneView) -> Span | None:
    """The milestone's span in `view`, or None when it is on no quarter's board."""
    if milestone.schedule is None:
        return None
    quarters = [milestone.schedule.event.due_quarter]
    quarters += [quarter for move in milestone.reschedules
                 for quarter in (move.event.from_quarter, move.event.to_quarter)]
    first = quarter_number(min(quarters))
    quarters += [report.event.quarter for report in milestone.reports]
    quarters += [quarter_of_number(version_keys(seen.record, seen.version).quarter or first)
                 for seen in milestone.withdrawals]
    beyond = quarter_number(max(quarters)) + 1
    present = [number for number in range(first, beyond + 1)
               if on_board(milestone, quarter_of_number(number), view)]
    if not present:
        return None
    # Past every quarter its facts name, a milestone's place on the board no longer changes.
    return present[0], None if present[-1] == beyond else present[-1]


def changes(records: Sequence[Record], since: int) -> list[int]:
    """The positions after `since` at which these records changed (made, corrected, ended)."""
    found = set()
    for record in records:
        for version in record.versions:
            if version.known_from > since:
                found.add(version.known_from)
            if version.known_to is not None and version.known_to > since:
                found.add(version.known_to)
    return sorted(found)


def write_spans(connection: Connection, generation: int, state: PlanState, since: int,
                milestone_ids: Iterable[str]) -> None:
    """Record the span versions of these milestones for the positions after `since`."""
    wanted = sorted(set(milestone_ids))
    if not wanted:
        return
    by_milestone: dict[str, list[Record]] = {milestone_id: [] for milestone_id in wanted}
    for record in state.records.values():
        ids = {version_keys(record, version).milestone_id for version in record.versions}
        for milestone_id in ids:
            if milestone_id in by_milestone:
                by_milestone[milestone_id].append(record)
    current = _current(connection, generation, wanted)
    inserts: list[dict[str, Any]] = []
    closes: list[dict[str, Any]] = []
    for milestone_id in wanted:
        records = sorted(by_milestone[milestone_id], key=lambda record: record.position)
        milestone_state = PlanState(state.position, {record.event_id: record
                                                     for record in records})
        known = current.get(milestone_id)
        previous: Span | None = (known[1], known[2]) if known else None
        opened: dict[str, Any] | None = None
        for position in changes(records, since):
            view = PlanView.build(milestone_state, Cutoff(position))
            found = view.milestones.get(milestone_id)
            now = span_of(view, found) if found is not None else None
            if now == previous:
                continue
            if opened is not None:
                opened["known_to"] = position
            elif known is not None:
                closes.append({"m": milestone_id, "f": known[0], "t": position})
            opened = None
            if now is not None:
                opened = {"generation": generation, "milestone_id": milestone_id,
                          "known_from": position, "known_to": None,
                          "first_quarter": now[0], "last_quarter": now[1]}
                inserts.append(opened)
            previous = now
    if closes:
        connection.execute(
            sa.update(spans).where(spans.c.generation == generation,
                                   spans.c.milestone_id == sa.bindparam("m"),
                                   spans.c.known_from == sa.bindparam("f"))
            .values(known_to=sa.bindparam("t")), closes)
    insert_rows(connection, spans, inserts)


def _current(connection: Connection, generation: int,
             milestone_ids: list[str]) -> dict[str, tuple[int, int, int | None]]:
    found = {}
    for start in range(0, len(milestone_ids), 500):
        rows = connection.execute(sa.select(
            spans.c.milestone_id, spans.c.known_from, spans.c.first_quarter,
            spans.c.last_quarter).where(
            spans.c.generation == generation, spans.c.known_to.is_(None),
            spans.c.milestone_id.in_(milestone_ids[start:start + 500])))
        for row in rows:
            found[row[0]] = (row[1], row[2], row[3])
    return found


def covering(connection: Connection, generation: int, quarter: int,
             position: int) -> set[str]:
    """The milestones on `quarter`'s board at `position` (from their spans)."""
    known = [spans.c.generation == generation, spans.c.known_from <= position,
             sa.or_(spans.c.known_to.is_(None), spans.c.known_to > position),
             spans.c.first_quarter <= quarter]
    found = set()
    for last in (spans.c.last_quarter >= quarter, spans.c.last_quarter.is_(None)):
        found |= {row[0] for row in connection.execute(
            sa.select(spans.c.milestone_id).where(*known, last))}
    return found
