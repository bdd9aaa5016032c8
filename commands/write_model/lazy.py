"""A mapping whose older entries are read only when first needed.

The write model's index of every event by id (`State.events`) is consulted only by
corrections and retractions, yet it holds an entry per event: decoding it from a
checkpoint would cost a starting service time in proportion to the whole log. Here the
entries the fold adds go into a plain dict at once, and the checkpoint's entries are
decoded (by `load`) the first time a lookup or a walk needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LazyIndex(MutableMapping[K, V]):
    """`load()`'s entries, then those set since, in that order (as one dict would be)."""

    __slots__ = ("_added", "_load", "_whole")

    def __init__(self, load: Callable[[], dict[K, V]]) -> None:
        self._load: Callable[[], dict[K, V]] | None = load
        self._added: dict[K, V] = {}
        self._whole: dict[K, V] | None = None

    def loaded(self) -> bool:
        """Whether the older entries have been decoded."""
        return self._whole is not None

    def _all(self) -> dict[K, V]:
        if self._whole is None:
            assert self._load is not None
            whole = self._load()
            whole.update(self._added)
            self._whole, self._load, self._added = whole, None, {}
        return self._whole

    def __getitem__(self, key: K) -> V:
        if self._whole is None and key in self._added:
            return self._added[key]
        return self._all()[key]

    def __setitem__(self, key: K, value: V) -> None:
        if self._whole is None:
            self._added[key] = value
        else:
            self._whole[key] = value

    def __delitem__(self, key: K) -> None:
        del self._all()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
