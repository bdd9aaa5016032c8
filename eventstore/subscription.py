"""A catch-up subscription: everything from a position on, then new events as they land."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from eventstore.model import RecordedEvent

ReadPage = Callable[[int, int], Sequence[RecordedEvent]]


class Subscription(Iterator[RecordedEvent]):
    """Iterate to receive events in position order; `close()` (from any thread) ends it.

    Positions are committed in order, so polling "above the last one seen" never misses
    an event and never sees one out of order.
    """

    def __init__(
        self,
        read_page: ReadPage,
        from_position: int = 1,
        poll_interval: float = 0.05,
        page_size: int = 1_000,
    ) -> None:
        self._read_page = read_page
        self._next_position = from_position
        self._poll_interval = poll_interval
        self._page_size = page_size
        self._buffer: deque[RecordedEvent] = deque()
        self._closed = threading.Event()

    @property
    def position(self) -> int:
        """The last position handed out (one below where the subscription will resume)."""
        return self._next_position - 1 - len(self._buffer)

    def close(self) -> None:
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> Subscription:
        return self

    def __next__(self) -> RecordedEvent:
        while not self._buffer:
            if self._closed.is_set():
                raise StopIteration
            page = self._read_page(self._next_position, self._page_size)
            if page:
                self._buffer.extend(page)
                self._next_position = page[-1].position + 1
            else:
                self._closed.wait(self._poll_interval)
        if self._closed.is_set():
            raise StopIteration
        return self._buffer.popleft()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
