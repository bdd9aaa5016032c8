"""The quarter-close job over history recorded late: each quarter also cut on its declared
date, so back-filled quarters are not only the empty snapshots their recorded times give."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from catalogue import Quarter
from eventstore import EventStore
from opslog.scheduler import jobs
from projections.snapshots.registry import load_snapshot, snapshot_infos
from projections.snapshots.taking import declared_cut
from projections.snapshots.verify import verify_snapshots
from tests.projections.history import record_history

RECORDED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RUN = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def test_back_filled_quarters_are_snapshotted_as_their_sources_reported_them(url: str) -> None:
    """The demo's history recorded in December 2026: every quarter's recorded-time
    snapshot is empty (nothing was recorded by its cut-off), and each quarter from the
    plan's first (2018-19 Q1) also gets the snapshot cut on the last day of its grace
    period: Q1 as
    published, Q2 with Central East live in September, Q3 with it corrected to November.
    They verify, and a second run makes nothing."""
    with time_machine.travel(RECORDED, tick=False), EventStore.open(url) as store:
        record_history(store)
    with time_machine.travel(RUN, tick=False):
        first = jobs.close_quarters(url)
        second = jobs.close_quarters(url)
    assert first is not None and second is not None and second.created == []
    with EventStore.open(url) as store, store.engine.connect() as connection:
        infos = snapshot_infos(connection)
        recorded = [info for info in infos if info.reported_on is None]
        declared = {str(info.quarter): info for info in infos if info.reported_on is not None}
        assert [str(info.quarter) for info in recorded] == [str(q) for q in first.closed]
        assert {info.position for info in recorded} == {0}
        assert str(first.closed[0]) == "2018-19-Q1"
        assert set(declared) == {str(q) for q in first.closed}
        q1, q2, q3 = (declared[q] for q in ("2018-19-Q1", "2018-19-Q2", "2018-19-Q3"))
        assert q1.reported_on == declared_cut(Quarter(2018, 1)) == date(2018, 7, 30)
        assert q1.position < q2.position < q3.position < store.head().position
        texts = {name: load_snapshot(connection, info.id) for name, info in
                 (("q1", q1), ("q2", q2), ("q3", q3))}
    with EventStore.open(url) as store:
        assert all(verdict.ok for verdict in verify_snapshots(
            store, [info.id for info in infos], "test"))
    markdown = {name: found.texts["markdown"] for name, found in texts.items() if found}
    assert "(777,458 to 827,225 offences)" in markdown["q1"]
    assert "1 September 2018 · Central East BCU went live" in markdown["q2"]
    assert "1 November 2018 · Central East BCU went live" in markdown["q3"]
