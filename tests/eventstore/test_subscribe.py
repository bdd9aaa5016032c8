"""Subscriptions: history first, then new events as they land, until closed from anywhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from eventstore import EventStore, NewEvent, RecordedEvent, Subscription


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


class Follower:
    """Iterates a subscription on its own thread, keeping what it receives."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.received: list[RecordedEvent] = []
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.subscription:
                self.received.append(event)
        except BaseException as error:  # reported by stop()
            self.failure = error

    def positions(self) -> list[int]:
        return [event.position for event in self.received]

    def stop(self) -> None:
        self.subscription.close()
        self.thread.join(5)
        assert not self.thread.is_alive()
        assert self.failure is None, self.failure


def append(store: EventStore, *numbers: int, stream: str = "unit-1") -> None:
    store.append(stream, [NewEvent("Counted", {"n": n}) for n in numbers])


def test_catches_up_then_follows_appends_from_another_thread(store: EventStore) -> None:
    """History arrives first, then events another thread appends while the reader waits."""
    append(store, 1, 2, 3)
    follower = Follower(store.subscribe(1, poll_interval=0.01))
    try:
        wait_until(lambda: len(follower.received) == 3)
        writer = threading.Thread(target=lambda: [append(store, n, stream=f"unit-{n % 2}")
                                                  for n in (4, 5, 6)])
        writer.start()
        writer.join(10)
        wait_until(lambda: len(follower.received) == 6)
    finally:
        follower.stop()
    assert follower.positions() == [1, 2, 3, 4, 5, 6]
    assert [event.data["n"] for event in follower.received] == [1, 2, 3, 4, 5, 6]
    assert follower.received == list(store.read_all())
    assert follower.subscription.position == 6


def test_starts_from_a_position_in_the_middle(store: EventStore) -> None:
    """from_position skips what came before it and continues with later appends."""
    append(store, *range(1, 11))
    follower = Follower(store.subscribe(7, poll_interval=0.01))
    try:
        wait_until(lambda: len(follower.received) == 4)
        append(store, 11)
        wait_until(lambda: len(follower.received) == 5)
    finally:
        follower.stop()
    assert follower.positions() == [7, 8, 9, 10, 11]


def test_from_a_position_beyond_the_head_waits_for_it(store: EventStore) -> None:
    """A subscription may start where the log has not reached yet, and delivers from there."""
    append(store, 1)
    follower = Follower(store.subscribe(3, poll_interval=0.01))
    try:
        append(store, 2)
        append(store, 3, 4)
        wait_until(lambda: len(follower.received) == 2)
    finally:
        follower.stop()
    assert follower.positions() == [3, 4]


def test_history_longer_than_a_page_arrives_whole_and_in_order(store: EventStore) -> None:
    """Catching up across many pages delivers every position once, in order."""
    store.append("unit-1", [NewEvent("Counted", {"n": n}) for n in range(2_500)])
    with store.subscribe(1) as subscription:
        received = [next(subscription).position for _ in range(2_500)]
    assert received == list(range(1, 2_501))


def test_close_from_another_thread_ends_a_waiting_iteration_promptly(store: EventStore) -> None:
    """close() wakes a reader blocked on an empty log at once, not at its next poll."""
    append(store, 1)
    follower = Follower(store.subscribe(1, poll_interval=30))
    wait_until(lambda: len(follower.received) == 1)
    time.sleep(0.2)  # the reader is now waiting out its 30 s poll interval
    assert follower.thread.is_alive()
    started = time.monotonic()
    closer = threading.Thread(target=follower.subscription.close)
    closer.start()
    follower.thread.join(2)
    assert not follower.thread.is_alive(), "close() did not end the iteration"
    assert time.monotonic() - started < 2
    closer.join()
    follower.stop()
    assert follower.subscription.closed


def test_closed_subscription_hands_out_nothing_more(store: EventStore) -> None:
    """After close(), iteration stops even with events fetched but not yet handed out."""
    append(store, 1, 2, 3, 4, 5)
    subscription = store.subscribe(1)
    assert next(subscription).position == 1
    subscription.close()
    assert list(subscription) == []
    assert subscription.position == 1


def test_position_tracks_what_was_handed_out(store: EventStore) -> None:
    """Subscription.position is the last position delivered, for resuming later."""
    append(store, 1, 2, 3)
    with store.subscribe(2) as subscription:
        assert subscription.position == 1
        assert next(subscription).position == 2
        assert subscription.position == 2
        assert next(subscription).position == 3
        resume_from = subscription.position + 1
    append(store, 4)
    with store.subscribe(resume_from) as resumed:
        assert next(resumed).position == 4
