"""The Merkle tree over the log, as the store keeps it: grown at append, read for proofs.

Why: a signed root is only useful if the database can hand out the root at any size and
proofs between sizes cheaply and without replaying the log. The store keeps every complete
subtree of the RFC 9162 tree above the leaves (leaf index = position - 1; a leaf hashes
its event's `canonical.hash_input`), grouped by the event that completes it: the subtree
at (level, idx) covers leaves ``idx * 2**level`` up to ``(idx + 1) * 2**level - 1``, so
the event at position ``(idx + 1) * 2**level`` completes it. `tree_hashes` holds one row
per even position: the hashes of the subtrees that event completes at levels 1 and up,
one per trailing zero bit of the position (one hash per two events on average). A leaf
is not stored: it is recomputed from its event's row, which a proof reads by position
(a proof needs at most a few leaves; a root at most one).

Keyed so, a commit's tree rows are contiguous and always at the end of the table, as its
events are, and half the commits of one event write no tree row at all: where a (level,
idx) key spread a commit's nodes over one page per level, appends lost a sixth to a
quarter of their speed on SQLite. Any root or proof at a size up to the head is still
the one query `merkle.subtrees_read` plans (two when it needs leaves): O(log n)
primary-key reads.

The append path resumes the tree from its right border (`compact.border_positions`),
which depends on nothing but the log's content up to the head; a small cache keyed by
(size, head hash) — the head hash commits to the whole history — saves reading it back
on every commit of one process.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.canonical import format_time, hash_input, parse_time
from eventstore.errors import EventStoreError
from eventstore.tables import events, tree_hashes
from eventstore.transparency.compact import CompactTree, Subtree, border_positions
from eventstore.transparency.merkle import (
    HASH_SIZE,
    SubtreeHash,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    subtrees_read,
)

PAGE = 5_000
"""Events read per query when the tree is built or checked from the stored events."""

_BORDER_CACHE: OrderedDict[tuple[int, str], tuple[bytes, ...]] = OrderedDict()
_BORDER_CACHE_SIZE = 64

_VALUES_ROWS = 400
"""Rows per multi-row INSERT on SQLite (800 parameters, well under its limit)."""
_PG_INSERT = ("INSERT INTO tree_hashes (position, hashes) "
              "SELECT * FROM unnest(%s::bigint[], %s::bytea[])")
"""A commit's tree rows on PostgreSQL: one statement text for any count, so psycopg
prepares it once and each commit pays one round trip (a binary COPY costs more round
trips, a VALUES list a parse and plan per count)."""


class TreeError(EventStoreError):
    """The stored tree cannot answer: a size beyond the log, or a node that is missing."""


def completing_position(level: int, idx: int) -> int:
    """The position of the event that completes the subtree at (level, idx)."""
    return (idx + 1) << level


def row_of(finished: Sequence[Subtree]) -> tuple[int, bytes] | None:
    """The row of the subtrees one leaf finished (`CompactTree.append`'s list, leaf first):
    its nodes above the leaf, or None when it finished only its leaf (an odd position)."""
    if len(finished) == 1:
        return None
    return finished[0].index + 1, b"".join([node.hash for node in finished[1:]])


def _node(row: bytes | None, level: int, idx: int) -> bytes:
    """The hash at `level` (1 or more) in a stored row, or `TreeError` naming the node."""
    start = (level - 1) * HASH_SIZE
    if row is None or len(row) < start + HASH_SIZE:
        raise TreeError(
            f"the Merkle tree lacks node (level {level}, index {idx}): run opslog verify")
    return row[start:start + HASH_SIZE]


# -- append ------------------------------------------------------------------------------


def _values(mark: str, count: int) -> str:
    row = f"({mark}, {mark})"
    return "INSERT INTO tree_hashes (position, hashes) VALUES " + ", ".join([row] * count)  # noqa: S608


_LEAF_NAMES = ("position", "event_id", "stream_id", "version", "type", "schema_version",
               "occurred_at", "recorded_at", "prev_hash", "data", "metadata", "envelope",
               "digests")


def _leaf_of(values: Sequence[Any]) -> bytes:
    """The leaf hash of an event row holding `_LEAF_NAMES` in order (times as the driver
    or SQLAlchemy hand them back: datetimes, or SQLite's text)."""
    (position, event_id, stream_id, version, type_, schema_version, occurred_at,
     recorded_at, prev_hash, data, metadata_json, envelope, digests) = values
    return leaf_hash(hash_input(
        position=position, event_id=event_id, stream_id=stream_id, version=version,
        type=type_, schema_version=schema_version, occurred_at=_time_text(occurred_at),
        recorded_at=_time_text(recorded_at), prev_hash=prev_hash, data_json=data,
        metadata_json=metadata_json, envelope=envelope, digests_json=digests))


def _time_text(value: datetime | str) -> str:
    return format_time(parse_time(value) if isinstance(value, str) else value)


def _read_border_driver(cursor: Any, mark: str, size: int) -> tuple[bytes, ...]:
    wanted = border_positions(size)
    if not wanted:
        return ()
    positions = [completing_position(level, idx) for level, idx in wanted if level]
    found: dict[int, bytes] = {}
    if positions:
        marks = ", ".join([mark] * len(positions))
        cursor.execute(
            f"SELECT position, hashes FROM tree_hashes WHERE position IN ({marks})",  # noqa: S608
            positions)
        found = {int(position): bytes(value) for position, value in cursor.fetchall()}
    border = [_node(found.get(completing_position(level, idx)), level, idx)
              for level, idx in wanted if level]
    if size & 1:  # the last event's leaf closes the border
        cursor.execute(
            f"SELECT {', '.join(_LEAF_NAMES)} FROM events WHERE position = {mark}",  # noqa: S608
            (size,))
        row = cursor.fetchone()
        if row is None:
            raise TreeError(f"position {size} is missing: the tree cannot grow")
        border.append(_leaf_of(row))
    return tuple(border)


def write_rows(cursor: Any, postgres: bool, rows: Sequence[tuple[int, bytes]]) -> None:
    """Insert `tree_hashes` rows on the driver's own cursor: on PostgreSQL one constant
    statement over two arrays whatever the count (prepared once, one round trip), on
    SQLite multi-row INSERTs."""
    if postgres:
        cursor.execute(_PG_INSERT, ([position for position, _ in rows],
                                    [hashes for _, hashes in rows]))
        return
    for start in range(0, len(rows), _VALUES_ROWS):
        chunk = rows[start:start + _VALUES_ROWS]
        cursor.execute(_values("?", len(chunk)), [value for row in chunk for value in row])


def append_leaves(cursor: Any, postgres: bool, size: int, head_hash: str,
                  leaves: Sequence[bytes], new_head_hash: str) -> None:
    """Grow the tree of `size` leaves (head hash `head_hash`) by `leaves`, inside the
    append's transaction, on the driver's own cursor: one row per even position."""
    rows = rows_to_append(cursor, postgres, size, head_hash, leaves, new_head_hash)
    if rows:
        write_rows(cursor, postgres, rows)


def rows_to_append(cursor: Any, postgres: bool, size: int, head_hash: str,
                   leaves: Sequence[bytes], new_head_hash: str) -> list[tuple[int, bytes]]:
    """The rows `leaves` add to the tree of `size` leaves (its border read, or taken from
    the cache), for a caller that sends them with its own statements (`write_rows`)."""
    if not leaves:
        return []
    border = _BORDER_CACHE.get((size, head_hash))
    if border is None:
        border = _read_border_driver(cursor, "%s" if postgres else "?", size)
    rows, grown = grow(size, border, leaves)
    _remember(size + len(leaves), new_head_hash, grown)
    return rows


def grow(size: int, border: Sequence[bytes], leaves: Sequence[bytes]
         ) -> tuple[list[tuple[int, bytes]], tuple[bytes, ...]]:
    """The rows `leaves` add to a tree of `size` with right border `border`, and the new
    border: `CompactTree.append` and `row_of` without an object per node (they cost the
    append path more than hashing did)."""
    if len(border) != size.bit_count():
        raise TreeError(f"a tree of size {size} has {size.bit_count()} border hashes, "
                        f"not {len(border)}")
    stack = list(border)
    rows: list[tuple[int, bytes]] = []
    sha256 = hashlib.sha256
    for leaf in leaves:
        if len(leaf) != HASH_SIZE:
            raise TreeError(f"leaf hash is {len(leaf)} bytes, not {HASH_SIZE}")
        index = size
        size += 1
        if not index & 1:
            stack.append(leaf)
            continue
        current = leaf
        completed = []
        while index & 1:
            current = sha256(b"\x01" + stack.pop() + current).digest()
            completed.append(current)
            index >>= 1
        stack.append(current)
        rows.append((size, b"".join(completed)))
    return rows, tuple(stack)


def _remember(size: int, head_hash: str, border: tuple[bytes, ...]) -> None:
    _BORDER_CACHE[(size, head_hash)] = border
    _BORDER_CACHE.move_to_end((size, head_hash))
    while len(_BORDER_CACHE) > _BORDER_CACHE_SIZE:
        _BORDER_CACHE.popitem(last=False)


def forget_cached_borders() -> None:
    """Drop the append path's border cache (tests that rewrite the tables under it)."""
    _BORDER_CACHE.clear()


# -- leaves of the stored events -----------------------------------------------------------


_LEAF_COLUMNS = (
    events.c.position, events.c.event_id, events.c.stream_id, events.c.version,
    events.c.type, events.c.schema_version, events.c.occurred_at, events.c.recorded_at,
    events.c.prev_hash, events.c.data, events.c.metadata, events.c.envelope, events.c.digests,
)


def stored_leaves(connection: Connection, from_position: int = 1,
                  to_position: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(position, leaf hash) of each stored event in order, a page at a time."""
    after = from_position - 1
    while True:
        query = sa.select(*_LEAF_COLUMNS).where(events.c.position > after)
        if to_position is not None:
            query = query.where(events.c.position <= to_position)
        rows = connection.execute(query.order_by(events.c.position).limit(PAGE)).all()
        if not rows:
            return
        for row in rows:
            yield row.position, _leaf_of(row)
        after = rows[-1].position


def build_tree(connection: Connection, batch: int = PAGE) -> int:
    """Build the whole tree from the stored events into an empty `tree_hashes`.

    For imports, and for logs whose tree is rebuilt. Returns the size.
    """
    tree = CompactTree()
    rows: list[dict[str, object]] = []
    for position, leaf in stored_leaves(connection):
        if position != tree.size + 1:
            raise TreeError(f"position {tree.size + 1} is missing: the tree cannot be built")
        row = row_of(tree.append(leaf))
        if row is not None:
            rows.append({"position": row[0], "hashes": row[1]})
        if len(rows) >= batch:
            connection.execute(tree_hashes.insert(), rows)
            rows.clear()
    if rows:
        connection.execute(tree_hashes.insert(), rows)
    return tree.size


# -- reads: root and proofs ---------------------------------------------------------------


def tree_size(connection: Connection) -> int:
    """The tree's size: the head position (the tree grows in the append's transaction)."""
    value = connection.execute(sa.select(sa.func.max(events.c.position))).scalar()
    return int(value or 0)


_PG_ROWS = "SELECT position, hashes FROM tree_hashes WHERE position = ANY(%s::bigint[])"


def stored_rows(connection: Connection, positions: Iterable[int]) -> dict[int, bytes]:
    """The `tree_hashes` rows of `positions` (those stored), in one query or a few."""
    wanted = sorted(set(positions))
    if connection.dialect.name == "postgresql":
        # One statement text whatever the count: prepared once, index lookups per position.
        return {int(position): bytes(value)
                for position, value in connection.exec_driver_sql(_PG_ROWS, (wanted,))}
    found: dict[int, bytes] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((int(row.position), bytes(row.hashes)) for row in connection.execute(
            sa.select(tree_hashes.c.position, tree_hashes.c.hashes)
            .where(tree_hashes.c.position.in_(chunk))))
    return found


def leaves_at(connection: Connection, positions: Iterable[int]) -> dict[int, bytes]:
    """The leaf hashes of the stored events at `positions`, recomputed from their rows."""
    wanted = sorted(set(positions))
    if not wanted:
        return {}
    return {int(row.position): _leaf_of(row) for row in connection.execute(
        sa.select(*_LEAF_COLUMNS).where(events.c.position.in_(wanted)))}


_PG_READ = f"""
SELECT 0, max(position), NULL::bytea, NULL::varchar, NULL::varchar, NULL::int, NULL::varchar,
       NULL::int, NULL::timestamptz, NULL::timestamptz, NULL::varchar, NULL::text, NULL::text,
       NULL::smallint, NULL::text FROM events
UNION ALL
SELECT 1, position, hashes, {", ".join(["NULL"] * 12)}
FROM tree_hashes WHERE position = ANY(%s::bigint[])
UNION ALL
SELECT 2, position, NULL, {", ".join(_LEAF_NAMES[1:])}
FROM events WHERE position = ANY(%s::bigint[])
"""  # noqa: S608 (constant names only)
"""The head, the tree rows and the leaves' events a root or proof needs, in one round trip
(and one snapshot) on PostgreSQL: one statement text whatever the counts, prepared once."""


@dataclass(frozen=True, slots=True)
class _Read:
    head: int
    rows: dict[int, bytes]
    leaves: dict[int, bytes]

    def subtree(self, level: int, idx: int) -> bytes:
        if level:
            return _node(self.rows.get(completing_position(level, idx)), level, idx)
        try:
            return self.leaves[idx + 1]
        except KeyError:
            raise TreeError(f"the Merkle tree lacks leaf {idx}: position {idx + 1} is not "
                            "in the log") from None


def _read(connection: Connection, build: Callable[[SubtreeHash], object]) -> _Read:
    """The head and everything `build` will read, from the fewest queries."""
    wanted = subtrees_read(build)
    nodes = sorted({completing_position(level, idx) for level, idx in wanted if level})
    leaves = sorted({idx + 1 for level, idx in wanted if not level})
    if connection.dialect.name != "postgresql":
        return _Read(tree_size(connection), stored_rows(connection, nodes),
                     leaves_at(connection, leaves))
    head, rows, leaf_hashes = 0, {}, {}
    for kind, position, hashes, *event in connection.exec_driver_sql(_PG_READ, (nodes, leaves)):
        if kind == 0:
            head = int(position or 0)
        elif kind == 1:
            rows[int(position)] = bytes(hashes)
        else:
            leaf_hashes[int(position)] = _leaf_of((position, *event))
    return _Read(head, rows, leaf_hashes)


def stored_subtrees(connection: Connection,
                    build: Callable[[SubtreeHash], object]) -> SubtreeHash:
    """A `SubtreeHash` answering from one query for every node `build` will read (and one
    for the leaves it reads, on SQLite)."""
    return _read(connection, build).subtree


def _answer(connection: Connection, size: int, what: str,
            build: Callable[[SubtreeHash], Any]) -> Any:
    read = _read(connection, build)
    if size > read.head:
        raise TreeError(f"{what}: size {size} is larger than the log ({read.head} events)")
    return build(read.subtree)


def root_at(connection: Connection, size: int) -> bytes:
    """The RFC 9162 root of the first `size` events."""

    def build(get: SubtreeHash) -> bytes:
        return root_hash(size, get)

    return bytes(_answer(connection, size, "root", build))


def inclusion_at(connection: Connection, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]): the inclusion proof of leaf `index` (position - 1)."""

    def build(get: SubtreeHash) -> list[bytes]:
        return inclusion_proof(index, size, get)

    return list(_answer(connection, size, "inclusion proof", build))


def consistency_between(connection: Connection, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]): the tree of `new_size` extends that of `old_size`."""

    def build(get: SubtreeHash) -> list[bytes]:
        return consistency_proof(old_size, new_size, get)

    return list(_answer(connection, new_size, "consistency proof", build))


# -- verification --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """Where the stored tree first disagrees with the events."""

    position: int
    problem: str


def _differs(position: int, stored: bytes | None, expected: bytes) -> TreeProblem:
    """Which hash of the row at `position` first differs from the events' hashes."""
    for level in range(1, len(expected) // HASH_SIZE + 1):
        start = (level - 1) * HASH_SIZE
        part = None if stored is None else stored[start:start + HASH_SIZE]
        if part != expected[start:start + HASH_SIZE]:
            what = "differs" if part else "missing"
            return TreeProblem(position, f"Merkle tree node (level {level}, index "
                               f"{(position >> level) - 1}) {what} from the events' hashes")
    return TreeProblem(
        position, f"the Merkle tree's row of position {position} holds "
        f"{len(stored or b'')} bytes, not the {len(expected)} of the hashes its event completes")


def check_tree(connection: Connection, size: int,
               leaves: Iterable[tuple[int, bytes]] | None = None) -> TreeProblem | None:
    """Recompute the tree from the stored events up to `size` and compare every stored hash.

    Reports the first event that completes a node differing from what is stored (leaves
    are not stored: each is recomputed from its event), or stored rows beyond `size` (a
    tree that still covers removed events). A caller that already hashes each event (the
    chain check) passes its `leaves` instead of a second read.
    """
    tree = CompactTree()
    expected: list[tuple[int, bytes]] = []

    def compare() -> TreeProblem | None:
        stored = {int(row.position): bytes(row.hashes) for row in connection.execute(
            sa.select(tree_hashes.c.position, tree_hashes.c.hashes).where(
                tree_hashes.c.position.between(expected[0][0], expected[-1][0])))}
        for position, hashes in expected:
            found = stored.get(position)
            if found != hashes:
                return _differs(position, found, hashes)
        return None

    for position, leaf in stored_leaves(connection, 1, size) if leaves is None else leaves:
        if position != tree.size + 1:
            return TreeProblem(tree.size + 1, f"position {tree.size + 1} is missing")
        row = row_of(tree.append(leaf))
        if row is not None:
            expected.append(row)
        if len(expected) >= PAGE:
            found = compare()
            if found is not None:
                return found
            expected.clear()
    if expected:
        found = compare()
        if found is not None:
            return found
    # One statement, so one snapshot: appends committing meanwhile add rows and events
    # together, and a row past the head covers events that are gone.
    head = sa.select(sa.func.coalesce(sa.func.max(events.c.position), 0)).scalar_subquery()
    beyond = connection.execute(
        sa.select(sa.func.count(), sa.func.min(head)).select_from(tree_hashes)
        .where(tree_hashes.c.position > head)
    ).one()
    if beyond[0]:
        return TreeProblem(
            size + 1,
            f"the Merkle tree has {beyond[0]} rows past the last event (position "
            f"{beyond[1]}): it covers events that are not in the log",
        )
    return None
