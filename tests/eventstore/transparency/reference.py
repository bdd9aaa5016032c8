"""RFC 9162 section 2.1 written out as its definitions read: MTH, PATH and PROOF, recursive.

Slow on purpose and shares no code with `eventstore.transparency.merkle` beyond SHA-256, so
agreement between the two is evidence, not a tautology.
"""

from __future__ import annotations

import hashlib
from functools import cache


def leaf_inputs(count: int) -> tuple[bytes, ...]:
    """Distinct leaf inputs d(0)..d(count-1)."""
    return tuple(f"leaf {i}".encode() for i in range(count))


class Reference:
    """MTH/PATH/PROOF over one fixed list of leaf inputs; D[a:b] is a slice of it."""

    def __init__(self, leaves: tuple[bytes, ...]) -> None:
        self.leaves = leaves
        self.mth = cache(self._mth)

    @staticmethod
    def _k(n: int) -> int:
        k = 1
        while k * 2 < n:
            k *= 2
        return k

    def _mth(self, a: int, b: int) -> bytes:
        n = b - a
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return hashlib.sha256(b"\x00" + self.leaves[a]).digest()
        k = self._k(n)
        return hashlib.sha256(b"\x01" + self.mth(a, a + k) + self.mth(a + k, b)).digest()

    def path(self, m: int, a: int, b: int) -> list[bytes]:
        """PATH(m, D[a:b]) with m relative to a."""
        n = b - a
        if n == 1:
            return []
        k = self._k(n)
        if m < k:
            return [*self.path(m, a, a + k), self.mth(a + k, b)]
        return [*self.path(m - k, a + k, b), self.mth(a, a + k)]

    def subproof(self, m: int, a: int, b: int, whole: bool) -> list[bytes]:
        """SUBPROOF(m, D[a:b], b) with m relative to a."""
        n = b - a
        if m == n:
            return [] if whole else [self.mth(a, b)]
        k = self._k(n)
        if m <= k:
            return [*self.subproof(m, a, a + k, whole), self.mth(a + k, b)]
        return [*self.subproof(m - k, a + k, b, False), self.mth(a, a + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        """PROOF(m, D[0:n])."""
        return self.subproof(m, 0, n, True)
