"""A map of the write model whose entries are read from a checkpoint one key at a time.

A service that starts from a checkpoint must not decode the whole model (it grows with
the log: every stream's version, every milestone, every command), yet a command reads
only a handful of entries: the versions of the streams it writes, the milestone it
reports on, its actor's roles, its own id among the commits. `Entities` asks its `Source`
for a key the first time it is looked up (and remembers a miss), and for every entry only
when it is walked (`has_admin`, a correction found by its stream). What the fold sets or
deletes stays here, over what the source says.

It also records which keys may have changed since the checkpoint (`changed`): those set
or deleted, and those read whose values the fold changes in place (a milestone gaining a
report). Saving the next checkpoint writes only those (`write_model.checkpoints`).

The order of the entries is not kept across a checkpoint (those read later come after
those read first): nothing the rules decide depends on the order of a whole map, only on
the order inside one entry (a milestone's reschedules), which its encoding keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping, MutableSet
from typing import Protocol, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Source(Protocol[K, V]):
    """Where the entries of one map stand at a checkpoint."""

    def one(self, key: K) -> tuple[bool, V | None]:
        """Whether `key` has an entry, and its value."""

    def many(self, keys: Iterable[K]) -> dict[K, V]:
        """The entries of those of `keys` that have one."""

    def every(self) -> dict[K, V]:
        """Every entry."""


class Entities(MutableMapping[K, V]):
    """Entries read from `source` when first needed, under those set since."""

    __slots__ = ("_absent", "_changed", "_known", "_source", "mutable")

    def __init__(self, source: Source[K, V] | None = None, known: dict[K, V] | None = None,
                 *, mutable: bool = False) -> None:
        self._source = source
        """None once every entry is in `_known`."""
        self._known: dict[K, V] = {} if known is None else known
        self._absent: set[K] = set()
        """Keys the source has no entry for, or deleted here."""
        self._changed: set[K] = set()
        self.mutable = mutable

    def complete(self) -> bool:
        """Whether every entry has been read."""
        return self._source is None

    def changed(self) -> set[K]:
        """The keys whose entries may differ from the checkpoint's."""
        return self._changed

    def saved(self) -> None:
        """The entries as they stand are now the checkpoint's."""
        self._changed = set()

    def prefetch(self, keys: Iterable[K]) -> None:
        """Read the entries of `keys` not read yet in one go."""
        if self._source is None:
            return
        wanted = {key for key in keys if key not in self._known and key not in self._absent}
        if not wanted:
            return
        found = self._source.many(wanted)
        self._known.update(found)
        self._absent.update(wanted.difference(found))

    def _find(self, key: K) -> tuple[bool, V | None]:
        if key in self._known:
            return True, self._known[key]
        if self._source is None or key in self._absent:
            return False, None
        found, value = self._source.one(key)
        if found:
            self._known[key] = value  # type: ignore[assignment]
        else:
            self._absent.add(key)
        return found, value

    def _all(self) -> dict[K, V]:
        if self._source is not None:
            for key, value in self._source.every().items():
                if key not in self._known and key not in self._absent:
                    self._known[key] = value
            self._source, self._absent = None, set()
        return self._known

    def _read(self, key: K) -> tuple[bool, V | None]:
        """`_find`, noting the key as changed when values are changed in place."""
        found, value = self._find(key)
        if found and self.mutable:
            self._changed.add(key)
        return found, value

    def __getitem__(self, key: K) -> V:
        found, value = self._read(key)
        if not found:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        found, value = self._read(key)
        return value if found else default

    def __contains__(self, key: object) -> bool:
        return self._find(key)[0]  # type: ignore[arg-type]

    def __setitem__(self, key: K, value: V) -> None:
        self._known[key] = value
        self._absent.discard(key)
        self._changed.add(key)

    def __delitem__(self, key: K) -> None:
        if not self._find(key)[0]:
            raise KeyError(key)
        del self._known[key]
        if self._source is not None:
            self._absent.add(key)
        self._changed.add(key)

    def __iter__(self) -> Iterator[K]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"Entities({self._known!r}, complete={self.complete()})"


class EntitySet(MutableSet[K]):
    """A set kept as `Entities` mapping each member to True (the retracted events)."""

    __slots__ = ("entities",)

    def __init__(self, entities: Entities[K, bool]) -> None:
        self.entities = entities

    def __contains__(self, key: object) -> bool:
        return key in self.entities

    def __iter__(self) -> Iterator[K]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def add(self, value: K) -> None:
        self.entities[value] = True

    def discard(self, value: K) -> None:
        if value in self.entities:
            del self.entities[value]

    def __repr__(self) -> str:
        return f"EntitySet({self.entities!r})"
