"""Publishing races: many publishers of one snapshot at once leave one publication."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from catalogue import Quarter
from projections.snapshots.publishing import Published, publish
from projections.snapshots.tables import publications
from projections.snapshots.taking import take_snapshot
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log
from tests.snapshots.conftest import maker

Q1 = Quarter(2018, 1)
PUBLISHERS = 6


@pytest.mark.parametrize("attempt", range(3))
def test_racing_publishers_of_one_snapshot_write_one_row(writer: LogWriter, q1: Q1Log,
                                                         attempt: int) -> None:
    take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    start = threading.Barrier(PUBLISHERS)
    results: list[Published] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        start.wait()
        try:
            results.append(publish(writer.store, Q1, published_by=name,
                                   now=at("2018-08-01T10:00")))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f"p{n}",)) for n in range(PUBLISHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with writer.store.engine.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(publications)).scalar()
    assert rows == 1
    assert sorted(result.already for result in results) == [False] + [True] * (PUBLISHERS - 1)
