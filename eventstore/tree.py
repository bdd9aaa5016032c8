"""The Merkle tree over the log, as the store keeps it: grown at append, read for proofs.

Why: a signed root is only useful if the database can hand out the root at any size and
proofs between sizes cheaply and without replaying the log. `tree_nodes` holds every
complete subtree of the RFC 9162 tree (leaf index = position - 1; the leaf hashes the
event's `canonical.hash_input`). Appending leaves finishes at most log2(n) + 1 subtrees,
inserted in the append's own transaction, so the tree and the chain commit together.
Any root or proof at a size up to the head is then the one query `merkle.subtrees_read`
plans: O(log n) primary-key reads.

The append path resumes the tree from its right border (`compact.border_positions`),
which depends on nothing but the log's content up to the head; a small cache keyed by
(size, head hash) — the head hash commits to the whole history — saves reading it back
on every commit of one process.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.canonical import format_time, hash_input
from eventstore.errors import EventStoreError
from eventstore.tables import events, tree_nodes
from eventstore.transparency.compact import CompactTree, Subtree, border_positions
from eventstore.transparency.merkle import (
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

_COPY_ROW = struct.Struct("!hihiqi32s")
"""One row of PostgreSQL's binary COPY: 3 fields, each its length then its value
(int2 level, int8 idx, 32-byte bytea hash)."""
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
"""The binary COPY header: signature, no flags, no header extension."""
_COPY_TRAILER = b"\xff\xff"
_VALUES_ROWS = 300
"""Rows per multi-row INSERT on SQLite (900 parameters, well under its limit)."""
_COPY_FROM = 16
"""On PostgreSQL more rows than this go in by binary COPY (a large VALUES list costs the
server a parse and plan each time; COPY measured several times faster at 200 rows)."""
_COPY_NODES = "COPY tree_nodes (level, idx, hash) FROM STDIN (FORMAT BINARY)"


class TreeError(EventStoreError):
    """The stored tree cannot answer: a size beyond the log, or a node that is missing."""


# -- append ------------------------------------------------------------------------------


def _values(mark: str, count: int) -> str:
    row = f"({mark}, {mark}, {mark})"
    return "INSERT INTO tree_nodes (level, idx, hash) VALUES " + ", ".join([row] * count)  # noqa: S608


def _read_border_driver(cursor: Any, mark: str, size: int) -> tuple[bytes, ...]:
    wanted = border_positions(size)
    if not wanted:
        return ()
    where = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(wanted))
    params = [value for position in wanted for value in position]
    cursor.execute(f"SELECT level, idx, hash FROM tree_nodes WHERE {where}", params)  # noqa: S608
    found = {(int(level), int(idx)): bytes(value) for level, idx, value in cursor.fetchall()}
    missing = [position for position in wanted if position not in found]
    if missing:
        raise TreeError(
            f"the Merkle tree at size {size} lacks node (level {missing[0][0]}, index "
            f"{missing[0][1]}): run opslog verify"
        )
    return tuple(found[position] for position in wanted)


def append_leaves(cursor: Any, postgres: bool, size: int, head_hash: str,
                  leaves: Sequence[bytes], new_head_hash: str) -> None:
    """Grow the tree of `size` leaves (head hash `head_hash`) by `leaves`, inside the
    append's transaction, on the driver's own cursor (COPY on PostgreSQL for many rows)."""
    if not leaves:
        return
    mark = "%s" if postgres else "?"
    border = _BORDER_CACHE.get((size, head_hash))
    if border is None:
        border = _read_border_driver(cursor, mark, size)
    tree = CompactTree(size, border)
    rows: list[tuple[int, int, bytes]] = []
    for leaf in leaves:
        rows.extend((node.level, node.index, node.hash) for node in tree.append(leaf))
    if postgres and len(rows) > _COPY_FROM:
        # The binary COPY stream packed here in one go: psycopg's write_row per row cost
        # more than the server's insert at a few hundred rows.
        data = b"".join([_COPY_SIGNATURE, *(_COPY_ROW.pack(3, 2, level, 8, idx, 32, value)
                                            for level, idx, value in rows), _COPY_TRAILER])
        with cursor.copy(_COPY_NODES) as copy:
            copy.write(data)
    else:
        # One multi-row INSERT per chunk: fewer statements than executemany on SQLite.
        for start in range(0, len(rows), _VALUES_ROWS):
            chunk = rows[start:start + _VALUES_ROWS]
            cursor.execute(_values(mark, len(chunk)), [value for row in chunk for value in row])
    _remember(tree.size, new_head_hash, tree.border)


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
            data = hash_input(
                position=row.position, event_id=row.event_id, stream_id=row.stream_id,
                version=row.version, type=row.type, schema_version=row.schema_version,
                occurred_at=format_time(row.occurred_at),
                recorded_at=format_time(row.recorded_at), prev_hash=row.prev_hash,
                data_json=row.data, metadata_json=row.metadata,
                envelope=row.envelope, digests_json=row.digests,
            )
            yield row.position, leaf_hash(data)
        after = rows[-1].position


def build_tree(connection: Connection, batch: int = PAGE) -> int:
    """Build the whole tree from the stored events into an empty `tree_nodes`.

    For logs recorded before the tree existed (es0004) and for imports. Returns the size.
    """
    tree = CompactTree()
    rows: list[dict[str, object]] = []
    for position, leaf in stored_leaves(connection):
        if position != tree.size + 1:
            raise TreeError(f"position {tree.size + 1} is missing: the tree cannot be built")
        rows.extend({"level": n.level, "idx": n.index, "hash": n.hash}
                    for n in tree.append(leaf))
        if len(rows) >= batch:
            connection.execute(tree_nodes.insert(), rows)
            rows.clear()
    if rows:
        connection.execute(tree_nodes.insert(), rows)
    return tree.size


# -- reads: root and proofs ---------------------------------------------------------------


def tree_size(connection: Connection) -> int:
    """The tree's size: the head position (the tree grows in the append's transaction)."""
    value = connection.execute(sa.select(sa.func.max(events.c.position))).scalar()
    return int(value or 0)


_PG_NODES = (
    "SELECT n.level, n.idx, n.hash FROM unnest(%s::smallint[], %s::bigint[]) AS w(level, idx) "
    "JOIN tree_nodes AS n ON n.level = w.level AND n.idx = w.idx"
)


def stored_subtrees(connection: Connection,
                    build: Callable[[SubtreeHash], object]) -> SubtreeHash:
    """A `SubtreeHash` answering from one query for every node `build` will read."""
    wanted = sorted(set(subtrees_read(build)))
    found: dict[tuple[int, int], bytes] = {}
    if connection.dialect.name == "postgresql":
        # One statement text whatever the count: prepared once, index lookups per pair.
        rows = connection.exec_driver_sql(
            _PG_NODES, ([level for level, _ in wanted], [idx for _, idx in wanted]))
        found.update(((int(level), int(idx)), bytes(value)) for level, idx, value in rows)
    else:
        for start in range(0, len(wanted), 200):
            chunk = wanted[start:start + 200]
            condition = sa.or_(*(sa.and_(tree_nodes.c.level == level, tree_nodes.c.idx == idx)
                                 for level, idx in chunk))
            for row in connection.execute(
                sa.select(tree_nodes.c.level, tree_nodes.c.idx, tree_nodes.c.hash)
                .where(condition)
            ):
                found[(row.level, row.idx)] = bytes(row.hash)

    def subtree(level: int, idx: int) -> bytes:
        try:
            return found[(level, idx)]
        except KeyError:
            raise TreeError(
                f"the Merkle tree lacks node (level {level}, index {idx}): run opslog verify"
            ) from None

    return subtree


def _check_size(connection: Connection, size: int, what: str) -> None:
    current = tree_size(connection)
    if size > current:
        raise TreeError(f"{what}: size {size} is larger than the log ({current} events)")


def root_at(connection: Connection, size: int) -> bytes:
    """The RFC 9162 root of the first `size` events."""
    _check_size(connection, size, "root")

    def build(get: SubtreeHash) -> bytes:
        return root_hash(size, get)

    return build(stored_subtrees(connection, build))


def inclusion_at(connection: Connection, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]): the inclusion proof of leaf `index` (position - 1)."""
    _check_size(connection, size, "inclusion proof")

    def build(get: SubtreeHash) -> list[bytes]:
        return inclusion_proof(index, size, get)

    return build(stored_subtrees(connection, build))


def consistency_between(connection: Connection, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]): the tree of `new_size` extends that of `old_size`."""
    _check_size(connection, new_size, "consistency proof")

    def build(get: SubtreeHash) -> list[bytes]:
        return consistency_proof(old_size, new_size, get)

    return build(stored_subtrees(connection, build))


# -- verification --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """Where the stored tree first disagrees with the events."""

    position: int
    problem: str


def _node_range(level: int, first_leaf: int, end_leaf: int) -> tuple[int, int]:
    """The idx range [lo, hi) of nodes at `level` completed by leaves [first, end)."""
    span = 1 << level
    return (first_leaf + 1 + span - 1) // span - 1, end_leaf // span


def check_tree(connection: Connection, size: int,
               leaves: Iterable[tuple[int, bytes]] | None = None) -> TreeProblem | None:
    """Recompute the tree from the stored events up to `size` and compare every stored node.

    Reports the first event whose leaf, or a node it completed, differs from what is stored,
    or stored nodes beyond `size` (a tree that still covers removed events). A caller that
    already hashes each event (the chain check) passes its `leaves` instead of a second read.
    """
    tree = CompactTree()
    expected: list[Subtree] = []
    pending: list[int] = []

    def compare(first_leaf: int, end_leaf: int) -> TreeProblem | None:
        stored: dict[tuple[int, int], bytes] = {}
        for level in range(end_leaf.bit_length() + 1):
            lo, hi = _node_range(level, first_leaf, end_leaf)
            if lo >= hi:
                continue
            for row in connection.execute(
                sa.select(tree_nodes.c.idx, tree_nodes.c.hash).where(
                    tree_nodes.c.level == level, tree_nodes.c.idx >= lo, tree_nodes.c.idx < hi)
            ):
                stored[(level, int(row.idx))] = bytes(row.hash)
        for node in expected:
            if stored.get((node.level, node.index)) != node.hash:
                position = (node.index + 1) << node.level
                what = "missing" if (node.level, node.index) not in stored else "differs"
                kind = "leaf" if node.level == 0 else f"node (level {node.level}, index " \
                    f"{node.index})"
                return TreeProblem(
                    position, f"Merkle tree {kind} {what} from the events' hashes")
        return None

    for position, leaf in stored_leaves(connection, 1, size) if leaves is None else leaves:
        if position != tree.size + 1:
            return TreeProblem(tree.size + 1, f"position {tree.size + 1} is missing")
        pending.append(position)
        expected.extend(tree.append(leaf))
        if len(pending) >= PAGE:
            found = compare(pending[0] - 1, pending[-1])
            if found is not None:
                return found
            pending.clear()
            expected.clear()
    if pending:
        found = compare(pending[0] - 1, pending[-1])
        if found is not None:
            return found
    # One statement, so one snapshot: appends committing meanwhile add nodes and events
    # together, and a node completed only past the head covers events that are gone.
    head = sa.select(sa.func.coalesce(sa.func.max(events.c.position), 0)).scalar_subquery()
    beyond = connection.execute(
        sa.select(sa.func.count(), sa.func.min(head)).select_from(tree_nodes)
        .where((tree_nodes.c.idx + 1).op("<<")(tree_nodes.c.level) > head)
    ).one()
    if beyond[0]:
        return TreeProblem(
            size + 1,
            f"the Merkle tree has {beyond[0]} nodes past the last event (position "
            f"{beyond[1]}): it covers events that are not in the log",
        )
    return None
