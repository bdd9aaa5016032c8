"""A taskforce that changed in the world: each quarter's report shows it as it was then, on
both time axes, from the log and from the persisted read models alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from catalogue import Quarter, TaskforceChanged
from projections import query
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.report import MilestoneItem, Report, UpdateItem, build_report
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter, at
from tests.projections.q1_log import Q1Log

Q1, Q2 = Quarter(2018, 1), Quarter(2018, 2)
CHANGE_RECORDED = "2018-09-20T10:00"
Ask = Callable[[Quarter, Cutoff], Report]


def _changed(writer: LogWriter) -> int:
    """The VCTF at 272 officers from 17 September 2018, recorded three days later."""
    return writer.one(TaskforceChanged(
        update_id="vctf-272", topic_id="violent-crime", unit_id="vctf",
        title="Violent Crime Taskforce grows to 272 officers",
        effective_date=date(2018, 9, 17), taskforce_unit="vctf", officers=272),
        when=CHANGE_RECORDED).position


def _updates(report: Report) -> dict[str, UpdateItem]:
    found = {}
    for theme in report.themes:
        for topic in theme.topics:
            for item in topic.items:
                for update in item.updates if isinstance(item, MilestoneItem) else (item,):
                    found[update.update_id] = update
    return found


def _officers(report: Report, update_id: str) -> str | None:
    update = _updates(report).get(update_id)
    if update is None:
        return None
    return next(fact.text for fact in update.facts if fact.name == "officers")


@pytest.fixture(params=["fold", "read models"])
def ask(request: pytest.FixtureRequest, writer: LogWriter, q1: Q1Log) -> Ask:
    """The report from a fold of the log, or from the read models the runner keeps."""
    position = _changed(writer)
    if request.param == "fold":
        state = fold(writer.store.read_all())

        def from_fold(quarter: Quarter, cutoff: Cutoff) -> Report:
            return build_report(state, quarter, cutoff)
        return from_fold
    Runner(writer.store).catch_up(to_position=position)

    def from_tables(quarter: Quarter, cutoff: Cutoff) -> Report:
        return query.report(writer.store, quarter, cutoff)
    return from_tables


def test_q1_says_150_and_q2_says_272_from_17_september(ask: Ask) -> None:
    """The formation keeps its 150 in Quarter 1 at every date; the change is an update of
    Quarter 2, effective from 17 September."""
    for effective in (None, date(2018, 6, 30), date(2018, 9, 30)):
        q1_report = ask(Q1, Cutoff(effective=effective))
        assert _officers(q1_report, "vctf-formed") == "150"
        assert "vctf-272" not in _updates(q1_report)
    assert _officers(ask(Q2, Cutoff(effective=date(2018, 9, 30))), "vctf-272") == "272"
    assert "vctf-272" not in _updates(ask(Q2, Cutoff(effective=date(2018, 9, 16))))
    markdown = render_markdown(ask(Q2, Cutoff()))
    assert "Violent Crime Taskforce grows to 272 officers" in markdown
    assert "officers: 272" in markdown


def test_both_time_axes(writer: LogWriter, ask: Ask) -> None:
    """As of after both were recorded: effective 30 June → 150 and no change; effective
    30 September → 272. As of before the change was recorded, Quarter 2 knows no change."""
    after = writer.store.position_at(at("2018-09-21T00:00"))
    before = writer.store.position_at(at("2018-09-19T00:00"))
    june = ask(Q1, Cutoff(after, date(2018, 6, 30)))
    assert _officers(june, "vctf-formed") == "150"
    assert "officers: 272" not in render_markdown(june)
    assert _officers(ask(Q2, Cutoff(after, date(2018, 9, 30))), "vctf-272") == "272"
    assert "vctf-272" not in _updates(ask(Q2, Cutoff(before, date(2018, 9, 30))))
