"""The stored Merkle tree gives the roots and proofs RFC 9162 defines, on both databases."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from eventstore import EventStore, NewEvent
from eventstore.canonical import hash_input
from eventstore.transparency.compact import CompactTree
from eventstore.transparency.errors import ProofError
from eventstore.transparency.merkle import (
    SubtreeHash,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from eventstore.tree import (
    TreeError,
    append_leaves,
    consistency_between,
    forget_cached_borders,
    grow,
    inclusion_at,
    root_at,
    row_of,
    stored_subtrees,
)
from tests.eventstore.transparency import vectors
from tests.eventstore.transparency.reference import Reference

SIZES = 70


@pytest.fixture
def grown(store: EventStore) -> Iterator[tuple[EventStore, Reference]]:
    """A log of SIZES events appended in commits of 1 to 5, and the RFC's own definitions
    over the same leaf inputs (each event's hash input, as read back)."""
    rng = random.Random(9162)
    written = 0
    while written < SIZES:
        count = min(rng.randint(1, 5), SIZES - written)
        store.append(f"stream-{written % 3}", [
            NewEvent("Happened", {"n": written + n}) for n in range(count)])
        written += count
    inputs = tuple(
        hash_input(position=e.position, event_id=e.event_id, stream_id=e.stream_id,
                   version=e.version, type=e.type, schema_version=e.schema_version,
                   occurred_at=e.occurred_at, recorded_at=e.recorded_at,
                   prev_hash=e.prev_hash, data_json=e.data_json,
                   metadata_json=e.metadata_json, envelope=e.envelope,
                   digests_json=e.digests_json)
        for e in store.read_all())
    yield store, Reference(inputs)


def test_roots_and_proofs_at_every_size_match_the_rfc(
        grown: tuple[EventStore, Reference]) -> None:
    store, reference = grown
    with store.engine.connect() as connection:
        for size in range(1, SIZES + 1):
            assert root_at(connection, size) == reference.mth(0, size), size
        for size in range(1, SIZES + 1):
            for index in range(size):
                assert inclusion_at(connection, index, size) == reference.path(index, 0, size)
        for new in range(1, SIZES + 1):
            for old in range(1, new + 1):
                assert consistency_between(connection, old, new) == reference.proof(old, new)


def test_random_proofs_verify_against_the_stored_roots(
        grown: tuple[EventStore, Reference]) -> None:
    store, reference = grown
    rng = random.Random(6962)
    with store.engine.connect() as connection:
        for _ in range(200):
            size = rng.randint(1, SIZES)
            index = rng.randrange(size)
            root = root_at(connection, size)
            leaf = leaf_hash(reference.leaves[index])
            verify_inclusion(index, size, leaf, inclusion_at(connection, index, size), root)
            old = rng.randint(1, size)
            verify_consistency(old, size, root_at(connection, old), root,
                               consistency_between(connection, old, size))


def test_sizes_beyond_the_log_and_from_zero_are_refused(
        grown: tuple[EventStore, Reference]) -> None:
    store, _ = grown
    with store.engine.connect() as connection:
        with pytest.raises(TreeError, match=f"size {SIZES + 1} is larger than the log"):
            root_at(connection, SIZES + 1)
        with pytest.raises(TreeError, match="larger than the log"):
            inclusion_at(connection, 0, SIZES + 1)
        with pytest.raises(TreeError, match="larger than the log"):
            consistency_between(connection, 3, SIZES + 1)
        with pytest.raises(ProofError, match="consistency from size 0"):
            consistency_between(connection, 0, 5)
        with pytest.raises(ProofError, match="outside a tree of size 5"):
            inclusion_at(connection, 5, 5)


@pytest.mark.parametrize("chunks", [[8], [1] * 8, [3, 1, 4], [5, 3], [2, 2, 2, 2]])
def test_the_append_path_stores_the_transparency_dev_vectors(
        store: EventStore, chunks: list[int]) -> None:
    """Leaves appended in chunks through the writer's own insert path give the published
    subtree hashes, roots and proofs (transparency-dev/merkle testonly constants). The
    store keeps the nodes above the leaves; a leaf is recomputed from its event, so here,
    with no events behind the vectors' leaves, the vectors' own leaves stand in for it."""
    store.migrate()
    leaves = [leaf_hash(data) for data in vectors.LEAF_INPUTS]
    forget_cached_borders()
    postgres = store.dialect == "postgresql"
    size = 0
    with store.engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for count in chunks:
            if size % 2:  # an odd size's border ends in a leaf, which only the cache holds
                append_leaves(cursor, postgres, size, f"vector-{size}",
                              leaves[size:size + count], f"vector-{size + count}")
            else:  # a head hash never seen: the border is read back from the table
                forget_cached_borders()
                append_leaves(cursor, postgres, size, f"unseen-{size}",
                              leaves[size:size + count], f"vector-{size + count}")
            size += count
        forget_cached_borders()

        def stored(build: object) -> SubtreeHash:
            nodes = stored_subtrees(connection, build)  # type: ignore[arg-type]
            return lambda level, idx: leaves[idx] if level == 0 else nodes(level, idx)

        for level, hashes in enumerate(vectors.NODE_HASHES):
            for idx, expected in enumerate(hashes):
                assert stored(lambda get, lv=level, ix=idx: get(lv, ix))(level, idx) == expected
        for n, expected in enumerate(vectors.ROOTS):
            assert root_hash(n, stored(lambda get, n=n: root_hash(n, get))) == expected
        for index, n, path in vectors.INCLUSION_PROOFS:
            def build_path(get: SubtreeHash, i: int = index, m: int = n) -> list[bytes]:
                return inclusion_proof(i, m, get)
            assert build_path(stored(build_path)) == path
        for m, n, proof in vectors.CONSISTENCY_PROOFS:
            def build_proof(get: SubtreeHash, a: int = m, b: int = n) -> list[bytes]:
                return consistency_proof(a, b, get)
            assert build_proof(stored(build_proof)) == proof


def test_large_commits_store_the_same_tree(store: EventStore) -> None:
    """Commits of hundreds of events (one INSERT over arrays on PostgreSQL) give
    the tree the RFC defines, and verify recomputes it. Each commit reads the tree's
    border back from the database (at an odd size, its last leaf from the head event)."""
    for count in (300, 37, 1, 129):
        forget_cached_borders()
        store.append("bulk", [NewEvent("Happened", {"n": n}) for n in range(count)])
    inputs = tuple(
        hash_input(position=e.position, event_id=e.event_id, stream_id=e.stream_id,
                   version=e.version, type=e.type, schema_version=e.schema_version,
                   occurred_at=e.occurred_at, recorded_at=e.recorded_at,
                   prev_hash=e.prev_hash, data_json=e.data_json,
                   metadata_json=e.metadata_json, envelope=e.envelope,
                   digests_json=e.digests_json)
        for e in store.read_all())
    reference = Reference(inputs)
    with store.engine.connect() as connection:
        for size in (1, 255, 256, 300, 301, 337, 338, 466, 467):
            assert root_at(connection, size) == reference.mth(0, size), size
    assert store.verify().ok


def test_grow_gives_the_compact_trees_nodes_in_rows_by_position() -> None:
    """The append path's `grow` stores exactly the nodes above the leaves that
    `CompactTree` finishes, each at the position that completes it, in chunks of any size."""
    rng = random.Random(7)
    leaves = [rng.randbytes(32) for _ in range(300)]
    compact = CompactTree()
    expected = [row for row in (row_of(compact.append(leaf)) for leaf in leaves) if row]
    rows: list[tuple[int, bytes]] = []
    size, border = 0, ()
    while size < len(leaves):
        count = rng.randint(1, 40)
        added, border = grow(size, border, leaves[size:size + count])
        rows.extend(added)
        size = min(size + count, len(leaves))
    assert rows == expected
    assert border == compact.border
    with pytest.raises(TreeError, match="has 2 border hashes, not 1"):
        grow(3, border[:1], leaves[:1])
