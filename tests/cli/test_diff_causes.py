"""`opslog diff` names, for each change, only the events that made it, with old → new and
the reason; not every event recorded in between on the same stream."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import MilestoneProgressReported, Quarter
from eventstore import EventStore
from opslog.cli import main
from projections.audit.diff import QuarterDiff, diff_quarter
from projections.fold.cutoff import Cutoff
from tests.projections.builders import open_writer
from tests.projections.q1_log import load_q1
from tests.read_starts import ReadStarts

FROM, TO = "2018-07-31T00:00:00+00:00", "2018-08-04T00:00:00+00:00"
Q1 = Quarter(2018, 1)


def _three_events_on_one_stream(url: str) -> tuple[int, int, int]:
    """The Q1 log, then three events on the VCTF milestone's stream between the cut-offs:
    a status correction, a correction of the progress text only, and a report for Q2."""
    writer = open_writer(url)
    q1 = load_q1(writer)
    status = writer.correct(q1["report-vctf"], "go-live slipped to July",
                            when="2018-08-01T09:00", actor="auditor.ann", status="on_track")
    text = writer.correct(q1["report-vctf"], "typo", when="2018-08-02T09:00",
                          actor="recorder.vctf", narrative="Launched in April.")
    later = writer.one(MilestoneProgressReported(
        milestone_id="vctf", quarter=Quarter(2018, 2), status="on_track",
        narrative="Q2 text", as_of=date(2018, 9, 30)), when="2018-08-03T09:00")
    writer.store.close()
    result = CliRunner().invoke(main, ["--db", url, "init"])
    assert result.exit_code == 0, result.output
    return status.position, text.position, later.position


def _diff(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", url, "diff", "--quarter", "2018-19-Q1",
                                       "--from", FROM, "--to", TO, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_change_names_only_the_event_that_made_it(database_url: str) -> None:
    """Three events land on milestone-vctf; the status change names the status correction
    alone, with delivered → on track and its reason; the text change names the other."""
    status, text, _ = _three_events_on_one_stream(database_url)
    changes = json.loads(_diff(database_url, "--format", "json"))["changes"]
    by_what = {(c["key"], c["what"]): c["causes"] for c in changes}
    assert set(by_what) == {("vctf", "status"), ("vctf", "progress")}
    (cause,) = by_what[("vctf", "status")]
    assert (cause["position"], cause["type"], cause["actor"], cause["before"], cause["after"],
            cause["reason"]) == (status, "EventCorrected", "auditor.ann", "delivered",
                                 "on track", "go-live slipped to July")
    assert [c["position"] for c in by_what[("vctf", "progress")]] == [text]
    assert by_what[("vctf", "progress")][0]["reason"] == "typo"


def test_the_text_form_says_old_to_new_and_why(database_url: str) -> None:
    """Under the status change, one cause line: position, type, actor, old → new, reason."""
    status, _, later = _three_events_on_one_stream(database_url)
    lines = _diff(database_url).splitlines()
    at = lines.index("- milestone vctf: status: delivered → on track")
    cause = lines[at + 1]
    assert cause.startswith(f"    #{status} EventCorrected by auditor.ann at ")
    assert cause.endswith(": delivered → on track (reason: go-live slipped to July)")
    assert lines[at + 2].startswith("- ")
    assert not any(f"#{later} " in line for line in lines)


def test_with_read_models_the_causes_are_the_same_and_the_log_is_not_read_from_the_start(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps start from the read models as known just before the earliest candidate
    and fold only the events after it: the same diff, to the byte, as one fold of the log."""
    _three_events_on_one_stream(database_url)
    from_the_log = _diff(database_url, "--format", "json")
    caught_up = CliRunner().invoke(main, ["--db", database_url, "projections", "catch-up"])
    assert caught_up.exit_code == 0, caught_up.output
    starts = ReadStarts(monkeypatch).starts
    assert _diff(database_url, "--format", "json") == from_the_log
    assert starts and 1 not in starts, starts


def test_the_sample_diffs_the_same_from_the_read_models_as_from_the_log(
        database_url: str, tmp_path: Path) -> None:
    """Over the demo's quarters and corrections, restatement and late returns: every diff
    between cut-offs a third of the log apart equals, to the byte, the diff without read
    models."""
    made = CliRunner().invoke(main, ["--db", database_url, "demo", "--html",
                                     str(tmp_path / "q1.html")])
    assert made.exit_code == 0, made.output
    store = EventStore.open(database_url)
    try:
        head = store.head().position
        pairs = [(0, head), (head // 3, 2 * head // 3), (head // 2, head), (head - 5, head)]
        quarters = [Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3)]

        def diffs() -> list[QuarterDiff]:
            return [diff_quarter(store, quarter, Cutoff(first), Cutoff(last))
                    for quarter in quarters for first, last in pairs]

        from_the_log = diffs()
        assert any(found.changes for found in from_the_log)
        caught_up = CliRunner().invoke(main, ["--db", database_url, "projections", "catch-up"])
        assert caught_up.exit_code == 0, caught_up.output
        assert diffs() == from_the_log
    finally:
        store.close()


def test_a_retraction_and_corrections_between_the_cut_offs_read_the_same_from_read_models(
        database_url: str) -> None:
    """The read models note a retraction on the record's last row: the steps start from
    them as known before it, so it is folded once, not found already made."""
    writer = open_writer(database_url)
    q1 = load_q1(writer)
    before = writer.store.head().position
    writer.correct(q1["report-vctf"], "go-live slipped", when="2018-08-01T09:00",
                   status="on_track")
    writer.retract(q1["vctf-formed"], "recorded twice", when="2018-08-02T09:00")
    writer.retract(q1["report-vctf"], "withdrawn by the unit", when="2018-08-03T09:00")
    after = writer.store.head().position
    writer.store.close()
    assert CliRunner().invoke(main, ["--db", database_url, "init"]).exit_code == 0
    store = EventStore.open(database_url)
    try:
        from_the_log = diff_quarter(store, Q1, Cutoff(before), Cutoff(after))
        assert from_the_log.changes
        caught_up = CliRunner().invoke(main, ["--db", database_url, "projections", "catch-up"])
        assert caught_up.exit_code == 0, caught_up.output
        assert diff_quarter(store, Q1, Cutoff(before), Cutoff(after)) == from_the_log
    finally:
        store.close()
