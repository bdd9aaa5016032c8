"""The incremental Merkle tree kept at append: a compact range over leaves [0, size).

Why: append must grow the tree in the same transaction as the event, in O(log n) time and
space, and hand the store every complete subtree it just finished so later proofs are a
few indexed reads (`merkle.SubtreeHash`). A tree of size n is fully described by its "right
border": one complete subtree per set bit of n, largest (leftmost) first, as in
transparency-dev's compact ranges. Appending a leaf merges equal-sized subtrees like
carrying in binary addition; the root folds the border from the right, which is exactly
RFC 9162's split at the largest power of two (section 2.1.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventstore.transparency.errors import ProofError
from eventstore.transparency.merkle import EMPTY_ROOT, HASH_SIZE, node_hash


@dataclass(frozen=True, slots=True)
class Subtree:
    """A complete subtree to keep: it covers leaves [index * 2**level, (index+1) * 2**level)."""

    level: int
    index: int
    hash: bytes


def border_positions(size: int) -> list[tuple[int, int]]:
    """The (level, index) of the complete subtrees that make a tree of `size`, left first.

    The store reads these to resume a `CompactTree` without replaying the log.
    """
    if size < 0:
        raise ProofError(f"tree size {size} is negative")
    positions: list[tuple[int, int]] = []
    begin = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            positions.append((level, begin >> level))
            begin += 1 << level
    return positions


class CompactTree:
    """An append-only Merkle tree that remembers only its right border."""

    def __init__(self, size: int = 0, border: Sequence[bytes] = ()) -> None:
        """Resume a tree of `size` from the hashes at `border_positions(size)`, in order."""
        expected = len(border_positions(size))
        if len(border) != expected:
            raise ProofError(
                f"a tree of size {size} has {expected} border hashes, not {len(border)}"
            )
        for value in border:
            if len(value) != HASH_SIZE:
                raise ProofError(f"border hash is {len(value)} bytes, not {HASH_SIZE}")
        self._size = size
        self._border = list(border)

    @property
    def size(self) -> int:
        """How many leaves the tree has."""
        return self._size

    @property
    def border(self) -> tuple[bytes, ...]:
        """The hashes at `border_positions(size)`, left first."""
        return tuple(self._border)

    def append(self, leaf: bytes) -> list[Subtree]:
        """Add a leaf hash; return the complete subtrees it finished, the leaf itself first."""
        if len(leaf) != HASH_SIZE:
            raise ProofError(f"leaf hash is {len(leaf)} bytes, not {HASH_SIZE}")
        index = self._size
        finished = [Subtree(0, index, leaf)]
        current, level = leaf, 0
        while index >> level & 1:
            current = node_hash(self._border.pop(), current)
            level += 1
            finished.append(Subtree(level, index >> level, current))
        self._border.append(current)
        self._size += 1
        return finished

    def root(self) -> bytes:
        """The RFC 9162 root hash at the current size (SHA-256("") when empty)."""
        if not self._border:
            return EMPTY_ROOT
        root = self._border[-1]
        for left in reversed(self._border[:-1]):
            root = node_hash(left, root)
        return root
