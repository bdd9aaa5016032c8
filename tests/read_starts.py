"""Where the log is read from: a wrapper on every store's `read_all` (the store's boundary)
that notes the position each read starts at and then reads as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eventstore import EventStore, RecordedEvent


class ReadStarts:
    """The `from_position` of each `read_all` call on any store while it is installed
    (stores opened by the code under test included)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.starts: list[int] = []
        original = EventStore.read_all

        def read_all(store: EventStore, from_position: int = 1, *args: Any,
                     **kwargs: Any) -> Iterator[RecordedEvent]:
            self.starts.append(from_position)
            return original(store, from_position, *args, **kwargs)

        monkeypatch.setattr(EventStore, "read_all", read_all)
