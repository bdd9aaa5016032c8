"""The report prints each date as precisely as the source gave it, and cuts off by its start."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue import OperationalUpdateRecorded, Quarter, ThemeDefined, TopicDefined
from catalogue.precision import parse_precise
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter.forms import report_form, to_json
from projections.render.html import render_html
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter

Q1 = Quarter(2018, 1)
UPDATES = (("launch", "2018-19-Q1", "Q1 2018-19"), ("week", "2018-04", "April 2018"),
           ("raid", "2018-05-14", "14 May 2018"))


@pytest.fixture
def dated(writer: LogWriter) -> LogWriter:
    writer.record(ThemeDefined(number=2, title="Violence"),
                  TopicDefined(topic_id="t", theme=2, title="Topic"), when="2018-04-01T09:00")
    for update_id, stored, _ in UPDATES:
        writer.one(OperationalUpdateRecorded(
            update_id=update_id, topic_id="t", unit_id="mps", title=f"The {update_id}",
            effective_date=parse_precise(stored), kind="other"), when="2018-06-30T09:00")
    return writer


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_each_date_prints_at_its_precision(dated: LogWriter, render: object) -> None:
    """``Q1 2018-19``, ``April 2018``, ``14 May 2018``; no day the source did not give."""
    text = render(query.report(dated.store, Q1, Cutoff()))  # type: ignore[operator]
    for update_id, _, printed in UPDATES:
        assert f"{printed} · The {update_id}" in text
    assert "1 April 2018" not in text


def test_the_json_form_keeps_the_stored_form(dated: LogWriter) -> None:
    """Data out says ``2018-04``, not a day that was never given."""
    text = to_json(report_form(query.report(dated.store, Q1, Cutoff())))
    for _, stored, _ in UPDATES:
        assert f'"{stored}"' in text


def test_an_effective_cut_off_uses_the_start_of_the_period(dated: LogWriter) -> None:
    """Effective up to 2 April: the quarter and April (both begin on 1 April) are in, 14 May
    is not; the order is by the start of each period."""
    text = render_markdown(query.report(dated.store, Q1, Cutoff(effective=date(2018, 4, 2))))
    assert "Q1 2018-19 · The launch" in text and "April 2018 · The week" in text
    assert "The raid" not in text
    everything = render_markdown(query.report(dated.store, Q1, Cutoff()))
    assert everything.index("The launch") < everything.index("The week") < everything.index(
        "The raid")
