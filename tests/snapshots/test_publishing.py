"""Publishing a snapshot, and how today's report differs from the published one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogue import IndicatorValueRecorded, MilestoneScheduled, Quarter
from projections import query
from projections.audit.compare import compare_reports
from projections.fold.cutoff import Cutoff
from projections.render.markdown import render_markdown
from projections.snapshots.publishing import NothingToPublish, publish, published_report
from projections.snapshots.registry import load_snapshot
from projections.snapshots.taking import take_snapshot
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log
from tests.snapshots.conftest import maker

Q1 = Quarter(2018, 1)


def test_publishing_names_the_latest_snapshot_and_keeps_the_history(writer: LogWriter,
                                                                    q1: Q1Log) -> None:
    """By default the quarter's latest snapshot; publishing again after a newer one appends
    a publication, and the newest is the published update."""
    first = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker()).info
    done = publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"))
    assert (done.info, done.already) == (first, False)
    again = publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T11:00"))
    assert again.already and again.publication == done.publication
    writer.correct(q1["report-vctf"], "on review", when="2018-07-20T09:00", status="on_track")
    second = take_snapshot(writer.store, Q1, at("2018-07-30T00:00"), maker()).info
    newer = publish(writer.store, Q1, published_by="bob", now=at("2018-08-02T10:00"))
    assert newer.info == second and newer.publication.id > done.publication.id
    back = publish(writer.store, Q1, published_by="carol", now=at("2018-08-03T10:00"),
                   snapshot_id=first.id)
    assert (back.info, back.publication.published_by) == (first, "carol")
    published = published_report(writer.store, Q1)
    assert published is not None and published.info == first


def test_nothing_to_publish_is_refused_with_the_reason(writer: LogWriter, q1: Q1Log) -> None:
    """No snapshot of the quarter, an unknown id, or another quarter's snapshot."""
    with pytest.raises(NothingToPublish, match="2018-19-Q1 has no snapshot"):
        publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"))
    other = take_snapshot(writer.store, Q1.next(), at("2018-07-15T00:00"), maker()).info
    with pytest.raises(NothingToPublish, match="there is no snapshot 99"):
        publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"),
                snapshot_id=99)
    with pytest.raises(NothingToPublish, match="is of 2018-19-Q2, not 2018-19-Q1"):
        publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"),
                snapshot_id=other.id)


def test_the_published_report_is_the_stored_one(writer: LogWriter, q1: Q1Log) -> None:
    """Rebuilt from the snapshot's state, it renders to the snapshot's stored Markdown."""
    info = take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker()).info
    publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"))
    published = published_report(writer.store, Q1)
    assert published is not None
    with writer.store.engine.connect() as connection:
        stored = load_snapshot(connection, info.id)
    assert stored is not None
    assert render_markdown(published.report, audit=True) == stored.texts["markdown"]
    assert compare_reports(published.report, published.report) == ()


def test_later_corrections_and_restatements_are_listed(writer: LogWriter, q1: Q1Log) -> None:
    """A corrected status and progress text, a restated figure, a retracted update and a
    newly scheduled milestone each show as a change from the published update."""
    take_snapshot(writer.store, Q1, at("2018-07-15T00:00"), maker())
    publish(writer.store, Q1, published_by="alice", now=at("2018-08-01T10:00"))
    writer.correct(q1["report-vctf"], "on review", when="2018-08-05T09:00",
                   status="some_delay", narrative="Recruitment continues.")
    writer.one(IndicatorValueRecorded(indicator_id="tno", period="2017-18",
                                      value=Decimal("830000"), source="restated",
                                      released_on=at("2018-08-06T00:00").date()),
               when="2018-08-06T09:00")
    writer.retract(q1["girls-allowed"], "recorded twice", when="2018-08-07T09:00")
    writer.one(MilestoneScheduled(milestone_id="late-add", title="Added late",
                                  topic_id="violent-crime", due_quarter=Q1,
                                  owner_unit="vctf"), when="2018-08-08T09:00")
    published = published_report(writer.store, Q1)
    assert published is not None
    changes = compare_reports(published.report, query.report(writer.store, Q1, Cutoff()))
    text = [str(change) for change in changes]
    assert "milestone vctf: status: delivered → some delay" in text
    [progress] = [change for change in changes if change.what == "progress"]
    assert (progress.key, progress.after) == ("vctf", "Recruitment continues.")
    assert "value tno 2017-18: 827,225 → 830,000" in text
    assert any(line.startswith("figure tno 2016-17 to 2017-18: increased by 6.4 per cent")
               and "827,225" in line and "830,000" in line for line in text)
    assert "update girls-allowed: no longer in the report: Girls Allowed event → (none)" in text
    assert any(line.startswith("milestone late-add: new in the report: (none) → Added late (")
               for line in text), text
