"""How many times one command waits for PostgreSQL: at most four round trips.

Counted from libpq's own trace of every pooled connection the command checks out: a round
trip is a run of messages the client sends followed by the server's answer, so BEGIN,
each statement, a pipeline of several and COMMIT each count once, and a pre-ping would
count too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg import pq

from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import PLAN, Clock, first_admin, given, progress, update

MAX_ROUND_TRIPS = 4


@contextmanager
def traced(store: EventStore) -> Iterator[list[str]]:
    """Trace every connection checked out inside the block; yield the trace's lines."""
    lines: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:

        def start(dbapi_connection: Any, _record: object, _proxy: object) -> None:
            pgconn = dbapi_connection.pgconn
            pgconn.trace(trace.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

        def stop(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.pgconn.untrace()

        sa.event.listen(store.engine, "checkout", start)
        sa.event.listen(store.engine, "checkin", stop)
        try:
            yield lines
        finally:
            sa.event.remove(store.engine, "checkout", start)
            sa.event.remove(store.engine, "checkin", stop)
            trace.seek(0)
            lines.extend(line for line in trace.read().splitlines() if line.strip())


def round_trips(lines: list[str]) -> int:
    """Client-to-server runs that the server answered."""
    count, sending = 0, False
    for line in lines:
        direction = line.split("\t", 1)[0]
        if direction == "F":
            sending = True
        elif direction == "B" and sending:
            count += 1
            sending = False
    return count


@pytest.fixture
def service(postgres_url: str) -> Iterator[CommandService]:
    with EventStore.open(postgres_url, create=True) as store:
        service = CommandService(store, clock=Clock())
        first_admin(store)
        given(service, *PLAN)
        yield service


@pytest.mark.parametrize("command", [progress, update], ids=["progress", "update"])
def test_one_command_makes_at_most_four_round_trips(service: CommandService,
                                                    command: Any) -> None:
    """A service that has read the log records a command (its events, the commit row and
    the Merkle tree's rows) in at most four round trips: no pre-ping, no catch-up read."""
    given(service, command())  # the statements are prepared by now, as in a long run
    before = service.store.head().position
    with traced(service.store) as lines:
        outcome = service.submit(command())
    assert outcome.accepted, outcome.describe()
    assert service.store.head().position == outcome.last_position > before
    sent = [line.split("\t")[2].split()[0] for line in lines if line.startswith("F\t")]
    assert "Sync" in sent or "Query" in sent, lines
    assert round_trips(lines) <= MAX_ROUND_TRIPS, "\n".join(lines)


def test_the_count_sees_every_round_trip(service: CommandService) -> None:
    """The counter is not blind: a fresh service's first command also reads the log back
    (its checkpoint and the events since), which costs more than four."""
    fresh = CommandService(service.store, clock=Clock())
    with traced(service.store) as lines:
        outcome = fresh.submit(progress())
    assert outcome.accepted, outcome.describe()
    assert round_trips(lines) > MAX_ROUND_TRIPS
