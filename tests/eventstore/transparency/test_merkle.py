"""RFC 9162 hashing, proofs from stored subtrees, and the verifier's refusals.

Proofs are generated only from the complete subtrees `CompactTree.append` hands out, as the
store will keep them, and checked three ways: against transparency-dev/merkle's published
vectors, against the RFC's recursive definitions (`reference.py`) for every index and pair
of sizes up to 64 and sampled ones up to 2,000, and by the verifier itself.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstore.transparency.compact import CompactTree
from eventstore.transparency.errors import ProofError
from eventstore.transparency.merkle import (
    EMPTY_ROOT,
    SubtreeHash,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    subtrees_read,
    verify_consistency,
    verify_inclusion,
)
from tests.eventstore.transparency import vectors
from tests.eventstore.transparency.reference import Reference, leaf_inputs

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


Kept = dict[tuple[int, int], bytes]


def stored(inputs: tuple[bytes, ...] | list[bytes]) -> tuple[Kept, SubtreeHash]:
    """Append every leaf and keep what append hands out, as the store will."""
    tree = CompactTree()
    kept: Kept = {}
    for data in inputs:
        for subtree in tree.append(leaf_hash(data)):
            assert (subtree.level, subtree.index) not in kept
            kept[(subtree.level, subtree.index)] = subtree.hash
    return kept, lambda level, index: kept[(level, index)]


VECTOR_KEPT, VECTOR_SUBTREE = stored(vectors.LEAF_INPUTS)
LARGE = 2000
LARGE_INPUTS = leaf_inputs(LARGE)
LARGE_REF = Reference(LARGE_INPUTS)
_, LARGE_SUBTREE = stored(LARGE_INPUTS)


def test_hash_prefixes_and_empty_root() -> None:
    """A leaf is SHA-256(0x00 || d), a node SHA-256(0x01 || l || r), the empty tree SHA-256("")."""
    assert EMPTY_ROOT == vectors.EMPTY_ROOT
    assert leaf_hash(b"") == vectors.NODE_HASHES[0][0]
    assert node_hash(vectors.NODE_HASHES[0][0], vectors.NODE_HASHES[0][1]) == (
        vectors.NODE_HASHES[1][0]
    )


def test_append_hands_out_every_published_subtree() -> None:
    """The subtrees kept while appending the 8 vector leaves are transparency-dev's node hashes."""
    expected = {
        (level, index): value
        for level, row in enumerate(vectors.NODE_HASHES)
        for index, value in enumerate(row)
    }
    assert expected == VECTOR_KEPT


@pytest.mark.parametrize("size", range(9))
def test_roots_and_borders_match_the_vectors(size: int) -> None:
    """The compact tree's root and border, and the root from stored subtrees, at each size."""
    tree = CompactTree()
    for data in vectors.LEAF_INPUTS[:size]:
        tree.append(leaf_hash(data))
    assert tree.root() == vectors.ROOTS[size]
    assert list(tree.border) == vectors.COMPACT_BORDERS[size]
    assert root_hash(size, VECTOR_SUBTREE) == vectors.ROOTS[size]
    resumed = CompactTree(size, tree.border)
    assert resumed.root() == vectors.ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), vectors.INCLUSION_PROOFS)
def test_inclusion_vectors(index: int, size: int, proof: list[bytes]) -> None:
    """Generated proofs equal the published ones, and they verify."""
    assert inclusion_proof(index, size, VECTOR_SUBTREE) == proof
    leaf = leaf_hash(vectors.LEAF_INPUTS[index])
    verify_inclusion(index, size, leaf, proof, vectors.ROOTS[size])


@pytest.mark.parametrize(("size1", "size2", "proof"), vectors.CONSISTENCY_PROOFS)
def test_consistency_vectors(size1: int, size2: int, proof: list[bytes]) -> None:
    """Generated proofs equal the published ones, and they verify."""
    assert consistency_proof(size1, size2, VECTOR_SUBTREE) == proof
    verify_consistency(size1, size2, vectors.ROOTS[size1], vectors.ROOTS[size2], proof)


def _corrupted_inclusion(
    index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """transparency-dev's probes: wrong index, size, leaf, root; garbage; flipped bits."""
    probes = [
        (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size, SOME_HASH, proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, [root, *proof], root),
    ]
    if index > 0:
        probes.append((index - 1, size, leaf, proof, root))
    if size // 2 > index:
        probes.append((index, size // 2, leaf, proof, root))
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, leaf, flipped, root))
    if proof:
        probes.append((index, size, leaf, proof[:-1], root))
    if len(proof) > 1:
        probes.append((index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root))
    return [p for p in probes if p[:2] != (index, size) or p[2:] != (leaf, proof, root)]


def _corrupted_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    probes = [
        (size1 + 1, size2, root1, root2, proof),
        (size1, size2 * 2, root1, root2, proof),
        (size1, size2, SOME_HASH, root2, proof),
        (size1, size2, root1, SOME_HASH, proof),
        (size1, size2, root2, root1, proof),
        (size1, size2, root1, root2, []),
        (size1, size2, root1, root2, [*proof, root1]),
        (size1, size2, root1, root2, [*proof, root2]),
        (size1, size2, root1, root2, [root1, *proof]),
        (size1, size2, root1, root2, [root2, *proof]),
        (size1, size2, root1, root2, [proof[0], *proof]),
        (size1, size2, root1, root2, proof[:-1]),
    ]
    if size1 > 1:
        probes.append((size1 - 1, size2, root1, root2, proof))
    if size1 ^ 2 > 0:
        probes.append((size1 ^ 2, size2, root1, root2, proof))
    if size2 // 2 >= size1:
        probes.append((size1, size2 // 2, root1, root2, proof))
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((size1, size2, root1, root2, flipped))
    return [p for p in probes if p != (size1, size2, root1, root2, proof)]


def _assert_inclusion_holds_and_corruptions_fail(
    index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes
) -> None:
    verify_inclusion(index, size, leaf, proof, root)
    for probe in _corrupted_inclusion(index, size, leaf, proof, root):
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


def _assert_consistency_holds_and_corruptions_fail(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    verify_consistency(size1, size2, root1, root2, proof)
    if not proof:
        return
    for probe in _corrupted_consistency(size1, size2, root1, root2, proof):
        with pytest.raises(ProofError):
            verify_consistency(*probe)


@pytest.mark.parametrize(("index", "size", "proof"), vectors.INCLUSION_PROOFS)
def test_corrupted_inclusion_vectors_are_refused(
    index: int, size: int, proof: list[bytes]
) -> None:
    """Every corruption transparency-dev probes its verifier with is refused here too."""
    leaf = leaf_hash(vectors.LEAF_INPUTS[index])
    _assert_inclusion_holds_and_corruptions_fail(index, size, leaf, proof, vectors.ROOTS[size])


@pytest.mark.parametrize(("size1", "size2", "proof"), vectors.CONSISTENCY_PROOFS)
def test_corrupted_consistency_vectors_are_refused(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    """Every corruption transparency-dev probes its verifier with is refused here too."""
    _assert_consistency_holds_and_corruptions_fail(
        size1, size2, vectors.ROOTS[size1], vectors.ROOTS[size2], proof
    )


@pytest.mark.parametrize("size", range(1, 65))
def test_every_inclusion_proof_up_to_64_matches_the_rfc(size: int) -> None:
    """For each index of each size 1..64: PATH as defined, and it verifies; root is MTH."""
    root = LARGE_REF.mth(0, size)
    assert root_hash(size, LARGE_SUBTREE) == root
    for index in range(size):
        proof = inclusion_proof(index, size, LARGE_SUBTREE)
        assert proof == LARGE_REF.path(index, 0, size)
        _assert_inclusion_holds_and_corruptions_fail(
            index, size, leaf_hash(LARGE_INPUTS[index]), proof, root
        )


@pytest.mark.parametrize("size2", range(1, 65))
def test_every_consistency_proof_up_to_64_matches_the_rfc(size2: int) -> None:
    """For each pair 1 <= m <= n <= 64: PROOF as defined, and it verifies."""
    root2 = LARGE_REF.mth(0, size2)
    for size1 in range(1, size2 + 1):
        proof = consistency_proof(size1, size2, LARGE_SUBTREE)
        assert proof == LARGE_REF.proof(size1, size2)
        _assert_consistency_holds_and_corruptions_fail(
            size1, size2, LARGE_REF.mth(0, size1), root2, proof
        )


@settings(max_examples=200, deadline=None)
@given(st.integers(65, LARGE).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_sampled_inclusion_proofs_up_to_2000(size_index: tuple[int, int]) -> None:
    """Larger trees: generated PATH equals the definition and verifies; corruptions fail."""
    size, index = size_index
    proof = inclusion_proof(index, size, LARGE_SUBTREE)
    assert proof == LARGE_REF.path(index, 0, size)
    _assert_inclusion_holds_and_corruptions_fail(
        index, size, leaf_hash(LARGE_INPUTS[index]), proof, LARGE_REF.mth(0, size)
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(65, LARGE).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_sampled_consistency_proofs_up_to_2000(sizes: tuple[int, int]) -> None:
    """Larger trees: generated PROOF equals the definition and verifies; corruptions fail."""
    size1, size2 = sizes
    proof = consistency_proof(size1, size2, LARGE_SUBTREE)
    assert proof == LARGE_REF.proof(size1, size2)
    _assert_consistency_holds_and_corruptions_fail(
        size1, size2, LARGE_REF.mth(0, size1), LARGE_REF.mth(0, size2), proof
    )


# The refusals the issue names, each with the reason a person reads.

ROOT5 = vectors.ROOTS[5]
LEAF1 = leaf_hash(vectors.LEAF_INPUTS[1])
PATH_1_5 = vectors.INCLUSION_PROOFS[4][2]


def test_inclusion_with_a_wrong_tree_size_is_refused() -> None:
    """A size whose path has another shape is refused, naming the length it needs.

    Sizes 6..8 give leaf 1 a path of the same shape as size 5, so the proof alone cannot
    tell them apart: the signed checkpoint binds the size to the root (see `proofs`).
    """
    with pytest.raises(ProofError, match="size 9 has 3 hashes; it needs exactly 4"):
        verify_inclusion(1, 9, LEAF1, PATH_1_5, ROOT5)
    with pytest.raises(ProofError, match="size 4 has 3 hashes; it needs exactly 2"):
        verify_inclusion(1, 4, LEAF1, PATH_1_5, ROOT5)
    with pytest.raises(ProofError, match="leads to root"):
        verify_inclusion(1, 6, LEAF1, PATH_1_5, vectors.ROOTS[6])


@pytest.mark.parametrize(("index", "size"), [(5, 5), (6, 5), (-1, 5), (0, 0)])
def test_an_index_outside_the_tree_is_refused(index: int, size: int) -> None:
    """Generation and verification both name the index and the size."""
    with pytest.raises(ProofError, match=f"{size}"):
        verify_inclusion(index, size, LEAF1, PATH_1_5, ROOT5)
    with pytest.raises(ProofError, match=f"{size}"):
        inclusion_proof(index, size, VECTOR_SUBTREE)


def test_a_path_of_the_wrong_length_is_refused() -> None:
    """One hash too many or too few is refused before any hashing, with both counts."""
    with pytest.raises(ProofError, match="has 4 hashes; it needs exactly 3"):
        verify_inclusion(1, 5, LEAF1, [*PATH_1_5, SOME_HASH], ROOT5)
    with pytest.raises(ProofError, match="has 2 hashes; it needs exactly 3"):
        verify_inclusion(1, 5, LEAF1, PATH_1_5[:2], ROOT5)
    proof = vectors.CONSISTENCY_PROOFS[2][2]
    with pytest.raises(ProofError, match="has 2 hashes; it needs exactly 3"):
        verify_consistency(6, 8, vectors.ROOTS[6], vectors.ROOTS[8], proof[:2])


def test_a_hash_that_is_not_32_bytes_is_refused() -> None:
    """In the path, as the leaf, as a root: each is named."""
    short = [PATH_1_5[0][:31], *PATH_1_5[1:]]
    with pytest.raises(ProofError, match="proof hash 0 is 31 bytes"):
        verify_inclusion(1, 5, LEAF1, short, ROOT5)
    with pytest.raises(ProofError, match="leaf hash is 33 bytes"):
        verify_inclusion(1, 5, LEAF1 + b"\x00", PATH_1_5, ROOT5)
    with pytest.raises(ProofError, match="root hash is 0 bytes"):
        verify_inclusion(1, 5, LEAF1, PATH_1_5, b"")
    proof = vectors.CONSISTENCY_PROOFS[3][2]
    with pytest.raises(ProofError, match="second root hash is 31 bytes"):
        verify_consistency(2, 5, vectors.ROOTS[2], ROOT5[:31], proof)


def test_a_consistency_proof_from_size_0_is_refused() -> None:
    """Every tree extends the empty one, so such a proof would say nothing; it is refused."""
    with pytest.raises(ProofError, match="from size 0"):
        verify_consistency(0, 5, EMPTY_ROOT, ROOT5, [])
    with pytest.raises(ProofError, match="from size 0"):
        consistency_proof(0, 5, VECTOR_SUBTREE)


def test_a_consistency_proof_to_a_smaller_size_is_refused() -> None:
    """A tree that shrank is not consistent with the larger one: named as such."""
    with pytest.raises(ProofError, match="from size 5 to the smaller size 2"):
        verify_consistency(5, 2, ROOT5, vectors.ROOTS[2], vectors.CONSISTENCY_PROOFS[3][2])
    with pytest.raises(ProofError, match="smaller size 2"):
        consistency_proof(5, 2, VECTOR_SUBTREE)


def test_equal_sizes_need_equal_roots_and_an_empty_proof() -> None:
    """Two checkpoints of one size with different roots are a fork, and are called one."""
    verify_consistency(5, 5, ROOT5, ROOT5, [])
    with pytest.raises(ProofError, match="the log forked"):
        verify_consistency(5, 5, ROOT5, SOME_HASH, [])
    with pytest.raises(ProofError, match="has 1 hashes; it needs exactly 0"):
        verify_consistency(5, 5, ROOT5, ROOT5, [EMPTY_ROOT])


def test_a_compact_tree_refuses_a_wrong_border_or_leaf() -> None:
    """Resuming needs one 32-byte hash per set bit of the size; leaves are 32 bytes."""
    with pytest.raises(ProofError, match="size 3 has 2 border hashes, not 1"):
        CompactTree(3, [SOME_HASH])
    with pytest.raises(ProofError, match="border hash is 31 bytes"):
        CompactTree(1, [SOME_HASH[:31]])
    with pytest.raises(ProofError, match="leaf hash is 31 bytes"):
        CompactTree().append(SOME_HASH[:31])


@pytest.mark.parametrize(("index", "size"), [(0, 1), (5, 8), (1, 5), (999_999, 1_000_000)])
def test_the_subtrees_a_proof_reads_can_be_fetched_first(index: int, size: int) -> None:
    """Listing the reads up front gives the same proof from a dict of just those subtrees,
    and a proof at a million leaves reads at most 2 * 20 + 1 subtrees."""
    wanted = subtrees_read(lambda get: inclusion_proof(index, size, get))
    assert len(wanted) <= 2 * (size - 1).bit_length() + 1
    if size <= LARGE:
        fetched = {key: LARGE_SUBTREE(*key) for key in wanted}
        assert inclusion_proof(index, size, lambda lv, ix: fetched[(lv, ix)]) == (
            LARGE_REF.path(index, 0, size)
        )
    consistency = subtrees_read(lambda get: consistency_proof(max(1, index), size, get))
    assert len(consistency) <= 2 * (size - 1).bit_length() + 1
