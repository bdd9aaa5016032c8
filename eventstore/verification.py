"""Verifying the stored log: the hash chain, and what the chain alone does not see.

`integrity.ChainChecker` judges a run of events. This module feeds it from the database
and covers the cases where the rows themselves are the problem:

- a check that starts mid-log is anchored on the stored hash before it; when that event
  is gone the check starts from the beginning instead, so the report says where the log
  breaks rather than failing to start;
- a row altered into something that no longer decodes (an event id that is not a UUID, a
  time SQLite cannot parse, bytes where text belongs) is reported at its position instead
  of raising from the middle of the check;
- the ``category`` column, kept beside the stream id for filtered reads and outside the
  hash, must be what the stream id says, or a projection reading by category could be
  made to skip an event that the chain still vouches for;
- the stored Merkle tree (`eventstore.tree`) must be the one the events make: when the
  whole log is checked, every stored node is recomputed and the first event whose leaf
  or completed subtree differs is reported, as are nodes left over beyond the head.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.canonical import GENESIS_HASH
from eventstore.errors import EventStoreError
from eventstore.integrity import ChainChecker, VerifyReport
from eventstore.model import Head, RecordedEvent
from eventstore.tables import events
from eventstore.transparency.merkle import leaf_hash
from eventstore.tree import TreeProblem, check_tree

UNDECODABLE = (ValueError, TypeError, AttributeError, OverflowError)
"""What reading or hashing a row whose stored values were tampered with can raise."""

PROGRESS_EVERY = 10_000


class StoredLog(Protocol):
    """What the check reads: the store's public reading API (an `EventStore` is one)."""

    def head(self) -> Head: ...

    def read_all(self, from_position: int = 1, to_position: int | None = None,
                 limit: int | None = None) -> Iterator[RecordedEvent]: ...

    def reading(self) -> AbstractContextManager[Connection]: ...


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored row that does not decode into an event."""

    position: int
    error: Exception


def verify_log(
    store: StoredLog,
    from_position: int = 1,
    to_position: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Check the stored log from `from_position` (to `to_position`) and report the first break."""
    start = max(from_position, 1)
    prev_hash = GENESIS_HASH
    if start > 1:
        anchor = _stored_hash(store, start - 1)
        if anchor is None:
            head = store.head().position
            if head < start - 1:
                raise EventStoreError(
                    f"cannot check from position {start}: the log has only {head} "
                    f"event{'' if head == 1 else 's'}")
            start = 1  # the event before the range is gone: find where the log breaks
        else:
            prev_hash = anchor
    checker = ChainChecker(start, prev_hash, stream_versions={} if start == 1 else None)
    whole = start == 1 and to_position is None
    if whole:
        to_position = store.head().position  # the log as it stands when the check starts
    chain = _chain(store, checker, start, to_position, progress, leaves=whole)
    tree_problem = None
    if whole:
        assert to_position is not None
        with store.reading() as connection:
            tree_problem = check_tree(connection, to_position, leaves=chain)
    for _ in chain:  # the rest of the chain, past a tree problem (a break there comes first)
        pass
    if progress is not None:
        progress(checker.checked)
    report = VerifyReport(
        ok=checker.bad_position is None,
        checked=checker.checked,
        head_position=checker.expected_position - 1,
        head_hash=checker.prev_hash,
        first_bad_position=checker.bad_position,
        problem=checker.problem,
    )
    report = _check_categories(store, report, start, prev_hash)
    if report.ok and tree_problem is not None:
        report = _tree_report(store, report, tree_problem)
    return report


def _chain(store: StoredLog, checker: ChainChecker, start: int, to_position: int | None,
           progress: Callable[[int], None] | None, *,
           leaves: bool) -> Iterator[tuple[int, bytes]]:
    """Feed the stored events to `checker` until the first break; with `leaves`, yield each
    good event's Merkle leaf from the bytes its hash was just recomputed over, so the tree
    is checked in the same pass as the chain."""
    for item in _stored_events(store, start, to_position):
        if isinstance(item, Unreadable):
            _fail_unreadable(checker, item)
            return
        try:
            fed = checker.feed(item)
        except UNDECODABLE as error:
            _fail_unreadable(checker, Unreadable(item.position, error))
            return
        if not fed:
            return
        if progress is not None and checker.checked % PROGRESS_EVERY == 0:
            progress(checker.checked)
        if leaves:
            assert checker.hash_input is not None
            yield item.position, leaf_hash(checker.hash_input)


def _tree_report(store: StoredLog, report: VerifyReport, found: TreeProblem) -> VerifyReport:
    """A chain that holds, but not the Merkle tree the proofs are read from."""
    position = min(found.position, report.head_position + 1)
    return VerifyReport(
        ok=False,
        checked=position - 1,
        head_position=position - 1,
        head_hash=_stored_hash(store, position - 1) or GENESIS_HASH,
        first_bad_position=position,
        problem=found.problem,
    )


def _stored_hash(store: StoredLog, position: int) -> str | None:
    with store.reading() as connection:
        value = connection.execute(
            sa.select(events.c.hash).where(events.c.position == position)
        ).scalar()
    return None if value is None else str(value)


def _stored_events(
    store: StoredLog, start: int, to_position: int | None
) -> Iterator[RecordedEvent | Unreadable]:
    """The events from `start` in order, then an `Unreadable` where a row fails to decode.

    Pages are read whole, so when one fails the rows after the last good event are read
    one at a time to find the culprit.
    """
    next_position = start
    try:
        for event in store.read_all(from_position=start, to_position=to_position):
            next_position = event.position + 1
            yield event
        return
    except UNDECODABLE:
        pass
    while to_position is None or next_position <= to_position:
        try:
            page = list(store.read_all(from_position=next_position, to_position=to_position,
                                       limit=1))
        except UNDECODABLE as error:
            yield Unreadable(_first_stored_at_or_after(store, next_position), error)
            return
        if not page:
            return
        yield page[0]
        next_position = page[0].position + 1


def _first_stored_at_or_after(store: StoredLog, position: int) -> int:
    with store.reading() as connection:
        found = connection.execute(
            sa.select(sa.func.min(events.c.position)).where(events.c.position >= position)
        ).scalar()
    return position if found is None else int(found)


def _fail_unreadable(checker: ChainChecker, row: Unreadable) -> None:
    if row.position > checker.expected_position:
        checker.bad_position = checker.expected_position
        checker.problem = (
            f"position {checker.expected_position} is missing "
            f"(next stored position is {row.position})"
        )
    else:
        checker.bad_position = row.position
        checker.problem = f"stored values cannot be read back: {row.error}"


def _derived_category(connection: Connection) -> sa.ColumnElement[str]:
    """SQL for `model.category_of`: the stream id up to its first ``-``."""
    stream_id = events.c.stream_id
    if connection.dialect.name == "postgresql":
        return sa.func.split_part(stream_id, "-", 1)
    dash = sa.func.instr(stream_id, "-")
    return sa.case((dash > 0, sa.func.substr(stream_id, 1, dash - 1)), else_=stream_id)


def _check_categories(
    store: StoredLog, report: VerifyReport, start: int, anchor_hash: str
) -> VerifyReport:
    """Report a category that disagrees with its stream id if it comes before any break."""
    last = report.head_position if report.ok else (report.first_bad_position or start) - 1
    if last < start:
        return report
    with store.reading() as connection:
        wrong = connection.execute(
            sa.select(sa.func.min(events.c.position)).where(
                events.c.position >= start,
                events.c.position <= last,
                events.c.category != _derived_category(connection),
            )
        ).scalar()
    if wrong is None:
        return report
    position = int(wrong)
    before = anchor_hash if position == start else _stored_hash(store, position - 1)
    return VerifyReport(
        ok=False,
        checked=position - start,
        head_position=position - 1,
        head_hash=before or "",
        first_bad_position=position,
        problem="category does not match the stream id (filtered reads would miss the event)",
    )
