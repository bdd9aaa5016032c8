"""RFC 9162 Merkle tree hashing, proof generation from stored subtrees, and proof checking.

Why: the hash chain proves nothing against whoever holds the database; a Merkle tree whose
root is signed and kept by others does. Hashing follows RFC 9162 (Certificate Transparency
v2) section 2.1.1: a leaf is SHA-256(0x00 || input), an interior node SHA-256(0x01 || left
|| right), so a leaf can never pass for a node. The tree over n leaves splits at the largest
power of two below n.

Generation never replays the log: it asks a `SubtreeHash` for the hash of a *complete*
subtree by (level, index) — level 0 is the leaves, the subtree at (level, index) covers
leaves [index * 2**level, (index + 1) * 2**level). Such a subtree never changes once full,
so the store can keep each one at append (see `compact`) and a proof is O(log n) indexed
reads. Verification is the RFC 9162 algorithms of sections 2.1.3.2 and 2.1.4.2, preceded
by checks that say precisely what is wrong with a malformed proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from eventstore.transparency.errors import ProofError

HASH_SIZE = 32
"""Every hash in the tree is a SHA-256 digest of this many bytes."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: SHA-256 of the empty string (RFC 9162 section 2.1.1)."""

SubtreeHash = Callable[[int, int], bytes]
"""Returns the hash of the complete subtree at (level, index)."""


def leaf_hash(leaf_input: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(b"\x00" + leaf_input).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): an interior node (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """k, the largest power of two smaller than `size` (size >= 2), where the tree splits."""
    return 1 << ((size - 1).bit_length() - 1)


def _range_hash(begin: int, end: int, subtree: SubtreeHash) -> bytes:
    """MTH(D[begin:end]) for a subtree of the RFC's recursion, from complete subtrees.

    The ranges the recursion visits start at a multiple of a power of two at least as large
    as they are, so they decompose into complete subtrees of decreasing size, folded from
    the right exactly as the RFC's split at the largest power of two would.
    """
    hashes: list[bytes] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        hashes.append(subtree(level, begin >> level))
        begin += 1 << level
    root = hashes.pop()
    for left in reversed(hashes):
        root = node_hash(left, root)
    return root


def root_hash(size: int, subtree: SubtreeHash) -> bytes:
    """MTH of the first `size` leaves, from at most log2(size) + 1 stored subtree hashes."""
    if size < 0:
        raise ProofError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, subtree)


def _check_index(index: int, size: int) -> None:
    if size <= 0:
        raise ProofError(f"tree size {size}: an inclusion proof needs a tree with leaves")
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")


def _check_sizes(size1: int, size2: int) -> None:
    if size1 <= 0:
        raise ProofError(
            f"consistency from size {size1}: every tree extends the empty tree, "
            "so such a proof proves nothing"
        )
    if size2 < size1:
        raise ProofError(f"consistency from size {size1} to the smaller size {size2}")


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1, leaf's sibling first."""
    _check_index(index, size)
    path: list[bytes] = []
    begin, end = 0, size
    while end - begin > 1:
        k = _split(end - begin)
        if index < begin + k:
            path.append(_range_hash(begin + k, end, subtree))
            end = begin + k
        else:
            path.append(_range_hash(begin, begin + k, subtree))
            begin += k
    path.reverse()
    return path


def consistency_proof(size1: int, size2: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(size1, D[0:size2]) of RFC 9162 section 2.1.4.1; empty when the sizes are equal."""
    _check_sizes(size1, size2)
    proof: list[bytes] = []
    m, begin, end, have_root = size1, 0, size2, True
    while True:
        if m == end - begin:
            if not have_root:
                proof.append(_range_hash(begin, end, subtree))
            break
        k = _split(end - begin)
        if m <= k:
            proof.append(_range_hash(begin + k, end, subtree))
            end = begin + k
        else:
            proof.append(_range_hash(begin, begin + k, subtree))
            m -= k
            begin += k
            have_root = False
    proof.reverse()
    return proof


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[0:size]) has: the only length a verifier accepts."""
    _check_index(index, size)
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_length(size1: int, size2: int) -> int:
    """How many hashes PROOF(size1, D[0:size2]) has: the only length a verifier accepts."""
    _check_sizes(size1, size2)
    if size1 == size2:
        return 0
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length()
    border = ((size1 - 1) >> inner).bit_count()
    shift = (size1 & -size1).bit_length() - 1
    seed = 0 if size1 == 1 << shift else 1
    return inner - shift + border + seed


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not a {HASH_SIZE}-byte SHA-256 hash")


def _check_path(path: Sequence[bytes], expected: int, what: str) -> None:
    if len(path) != expected:
        raise ProofError(f"{what} has {len(path)} hashes; it needs exactly {expected}")
    for number, value in enumerate(path):
        _check_hash(f"proof hash {number}", value)


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """Check that `leaf` is at `index` of the tree of `size` with `root` (RFC 9162 2.1.3.2).

    Raises `ProofError` saying why, and returns nothing when the proof holds. A wrong size
    is caught when it changes the path's length; sizes that give the leaf a path of the same
    shape compute the same root, so the size must come from the signed checkpoint that
    carries the root, never from the proof's sender.
    """
    _check_index(index, size)
    _check_hash("leaf hash", leaf)
    _check_hash("root hash", root)
    expected = inclusion_proof_length(index, size)
    _check_path(path, expected, f"inclusion proof for leaf {index} in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError(
            f"inclusion proof for leaf {index} leads to root {r.hex()}, "
            f"not the tree of size {size} with root {root.hex()}"
        )


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, path: Sequence[bytes]
) -> None:
    """Check that the tree of `size2` extends the tree of `size1` (RFC 9162 2.1.4.2).

    Equal sizes need an empty proof and equal roots. Raises `ProofError` saying why.
    """
    _check_sizes(size1, size2)
    _check_hash("first root hash", root1)
    _check_hash("second root hash", root2)
    expected = consistency_proof_length(size1, size2)
    _check_path(path, expected, f"consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        if root1 != root2:
            raise ProofError(
                f"two trees of size {size1} with different roots "
                f"{root1.hex()} and {root2.hex()}: the log forked"
            )
        return
    hashes = list(path)
    if size1 & (size1 - 1) == 0:
        hashes.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if fr != root1:
        raise ProofError(
            f"consistency proof gives root {fr.hex()} for size {size1}, "
            f"not the expected {root1.hex()}"
        )
    if sr != root2:
        raise ProofError(
            f"consistency proof gives root {sr.hex()} for size {size2}, "
            f"not the expected {root2.hex()}"
        )


def subtrees_read(build: Callable[[SubtreeHash], object]) -> list[tuple[int, int]]:
    """The (level, index) of every subtree `build` reads, in order, without reading any.

    Why: the store can fetch them all in one query and then build the proof from a dict,
    e.g. ``subtrees_read(lambda get: inclusion_proof(5, 1000, get))``.
    """
    wanted: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return EMPTY_ROOT

    build(record)
    return wanted
