"""`diff` builds each cause step from only the records the change's item reads
(`projections.audit.parts`): on logs with changes of every kind, its answer equals, to the
last cause, the answer of steps built as two whole reports folded from the log
(`tests/cli/whole_reports.py`), before and after the read models catch up."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import (
    FigureRef,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdateRecorded,
    Paragraph,
    Quarter,
    QuarterOverviewWritten,
    StatusDef,
    StatusScaleAdopted,
    StatusScaleDefined,
)
from eventstore import EventStore
from opslog.cli import main
from projections.audit.diff import QuarterDiff, diff_quarter
from projections.fold.cutoff import Cutoff
from projections.fold.decoding import decode_event
from tests.cli.whole_reports import diff_by_whole_reports
from tests.projections.builders import LogWriter, Written, open_writer
from tests.projections.random_log import QUARTERS, write_random_log
from tests.status_scales import DORSET

Q1, Q2, Q3 = Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3)
TNO = "total-notifiable-offences"
KNIFE = "knife-crime"


def _invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def _last(store: EventStore, stream: str, type_name: str) -> Written:
    """The last event of `type_name` on `stream`, as written (to correct or retract it)."""
    found = [event for event in store.read_stream(stream) if event.type == type_name][-1]
    return Written(decode_event(found).event, found.event_id, found.position)


def _later_history(writer: LogWriter) -> None:
    """After the demo, one commit each: milestone statuses, progress, titles, moves, a
    withdrawal and a retraction; updates added, corrected (text, facts, date out of the
    quarter, linked to another milestone) and retracted; indicator values restated,
    corrected, retracted and added; the overview corrected and rewritten; a status scale
    adopted for Quarter 2; last, a milestone's schedule retracted."""
    store = writer.store
    report = {name: _last(store, f"milestone-{name}", "MilestoneProgressReported")
              for name in ("vctf", "live-chat", "ivma", "esb", "lps-designs")}
    writer.correct(report["vctf"], "go-live slipped", status="on_track")
    writer.correct(report["live-chat"], "typo", narrative="The Live Chat trial ended.")
    writer.correct(_last(store, "milestone-ivma", "MilestoneScheduled"), "renamed",
                   title="IVMA roll out completed")
    writer.one(MilestoneRescheduled(milestone_id="esb", from_quarter=Q1, to_quarter=Q2,
                                    reason="completion moved"))
    writer.one(MilestoneWithdrawn(milestone_id="charing-cross", reason="works cancelled"))
    writer.one(MilestoneProgressReported(milestone_id="lps-designs", quarter=Q1,
                                         status="some_delay", narrative="Designs late.",
                                         as_of=date(2018, 6, 30)))
    writer.retract(report["ivma"], "reported in error")
    scheduled = writer.one(MilestoneScheduled(milestone_id="new-hub", title="Open the new hub",
                                              topic_id="estates", due_quarter=Q1,
                                              owner_unit="estates"))
    writer.one(MilestoneProgressReported(milestone_id="new-hub", quarter=Q1, status="delivered",
                                         narrative="Open.", as_of=date(2018, 6, 30)))
    added = writer.one(OperationalUpdateRecorded(
        update_id="hub-opened", topic_id="estates", unit_id="estates", title="Hub opened",
        effective_date=date(2018, 6, 1), narrative="The hub opened.", milestone_id="new-hub"))
    writer.correct(added, "wrong milestone", milestone_id="lps-designs")
    writer.correct(scheduled, "moved by correction", due_quarter=str(Q2))
    writer.correct(_last(store, "update-chogm", "OperationalUpdateRecorded"), "typo",
                   narrative="CHOGM was policed.", title="CHOGM policed")
    writer.correct(_last(store, "update-operation-raptor", "OperationalUpdateRecorded"),
                   "took effect later", effective_date="2018-08-01")
    writer.correct(_last(store, "update-vctf-formed", "TaskforceFormed"), "recount",
                   officers=140)
    writer.retract(_last(store, "update-girls-allowed", "OperationalUpdateRecorded"),
                   "not ours")
    writer.correct(_last(store, "update-live-chat-evaluation", "OperationalUpdateRecorded"),
                   "belongs to IVMA", milestone_id="ivma")
    writer.one(IndicatorValueRecorded(indicator_id=KNIFE, period="2017-18",
                                      value=Decimal(14702), source="revised",
                                      released_on=date(2018, 7, 20), reason="late returns"))
    writer.correct(_last(store, f"indicator-{TNO}", "IndicatorValueRecorded"), "misread",
                   value="829500")
    writer.retract(_last(store, "indicator-violence-against-the-person",
                         "IndicatorValueRecorded"), "withdrawn release")
    writer.one(IndicatorValueRecorded(indicator_id=KNIFE, period="2018-19-Q1",
                                      value=Decimal(3700), source="quarterly",
                                      released_on=date(2018, 7, 25)))
    overview = _last(store, "overview-2018-19-q1", "QuarterOverviewWritten")
    writer.correct(overview, "shorter", introduction=["A shorter introduction."])
    writer.one(QuarterOverviewWritten(quarter=Q1, introduction=["Rewritten."], paragraphs=[
        Paragraph(text="Crime {1}; knives.", figures=[
            FigureRef(indicator_id=TNO, from_period="2016-17", to_period="2017-18"),
            FigureRef(indicator_id=KNIFE, from_period="2016-17", to_period="2017-18")])]))
    writer.one(StatusScaleDefined(scale_id=DORSET["scale_id"], name=DORSET["name"], statuses=[
        StatusDef(**status) for status in DORSET["statuses"]]))
    writer.one(StatusScaleAdopted(scale_id=DORSET["scale_id"], from_quarter=Q2))
    writer.one(MilestoneProgressReported(milestone_id="esb", quarter=Q2, status="yellow",
                                         narrative="Contracts pending.",
                                         as_of=date(2018, 9, 30)))
    writer.retract(_last(store, "milestone-lps-designs", "MilestoneScheduled"), "duplicate")


def _both_ways(store: EventStore, quarters: list[Quarter],
               pairs: list[tuple[Cutoff, Cutoff]]) -> list[QuarterDiff]:
    """Every diff, checked equal to the whole reports' one; returns them."""
    found = []
    for quarter in quarters:
        for before, after in pairs:
            fast = diff_quarter(store, quarter, before, after)
            assert fast == diff_by_whole_reports(store, quarter, before, after), (
                quarter, before, after)
            found.append(fast)
    return found


def test_the_demo_with_changes_of_every_kind_traces_as_whole_reports_do(
        database_url: str, tmp_path: Path) -> None:
    """The demo, then changes of every kind: every diff between cut-offs across them (and
    at an effective date, and on declared dates) names the same causes, with the same old
    and new values, as steps built as whole reports; so it does from the read models."""
    _invoke("--db", database_url, "demo", "--html", str(tmp_path / "q1.html"))
    writer = open_writer(database_url, start="2030-01-01T09:00", create=False)
    demo = writer.store.head().position
    _later_history(writer)
    writer.store.close()
    store = EventStore.open(database_url)
    try:
        head = store.head().position
        middle = (demo + head) // 2
        positions = [(0, head), (demo, head), (demo, middle), (middle, head), (head - 4, head),
                     (demo // 2, middle)]
        pairs = [(Cutoff(first), Cutoff(last)) for first, last in positions]
        pairs += [(Cutoff(demo, date(2018, 6, 30)), Cutoff(head, date(2018, 6, 30))),
                  (Cutoff(reported=date(2018, 6, 30)), Cutoff(reported=date(2019, 5, 1)))]
        from_the_log = _both_ways(store, [Q1, Q2, Q3], pairs)
        changes = [traced for found in from_the_log for traced in found.changes]
        seen = Counter((traced.change.kind, traced.change.what) for traced in changes
                       if traced.causes)
        assert {("milestone", "status"), ("milestone", "progress"), ("milestone", "title"),
                ("milestone", "new in the report"), ("milestone", "no longer in the report"),
                ("update", "new in the report"), ("update", "no longer in the report"),
                ("update", "title"), ("update", "text"), ("update", "facts"),
                ("value", ""), ("figure", ""), ("overview", "text changed")} <= set(seen), seen
        _invoke("--db", database_url, "projections", "catch-up")
        assert _both_ways(store, [Q1, Q2, Q3], pairs) == from_the_log
    finally:
        store.close()


@pytest.mark.parametrize("seed", [3, 11])
def test_random_logs_trace_as_whole_reports_do(database_url: str, seed: int) -> None:
    """Seeded random logs (moves, withdrawals, corrections and retractions of every kind,
    updates relinked, values restated): every quarter's diff across a third of the log and
    across its last events traces as whole reports do, from the log and from the read
    models, and the two give the same diffs."""
    writer = open_writer(database_url)
    write_random_log(writer, seed)
    head = writer.store.head().position
    writer.store.close()
    _invoke("--db", database_url, "init")
    store = EventStore.open(database_url)
    try:
        pairs = [(Cutoff(first), Cutoff(last)) for first, last in
                 ((head // 3, 2 * head // 3), (2 * head // 3, head), (head - 10, head))]
        found = _both_ways(store, QUARTERS, pairs)
        assert sum(len(traced.causes) for diff in found for traced in diff.changes) > 20
        _invoke("--db", database_url, "projections", "catch-up")
        assert _both_ways(store, QUARTERS, pairs) == found
    finally:
        store.close()
