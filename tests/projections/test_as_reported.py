"""``--as-reported DATE``: history recorded late, read as its sources had reported it.

The demo's history is all recorded now, declared on its sources' dates: Quarter 1 as at 30
June 2018, a Quarter 2 return (Central East BCU live in September 2018), a Quarter 3 return
correcting the go-live to November, the release of 25 April 2019 restating 2017-18's total
notifiable offences from 827,225 to 829,418.
"""

from __future__ import annotations

from datetime import date

import pytest

from catalogue import Quarter
from commands.identity import direct, make_first_admin
from commands.service import CommandService
from eventstore import EventStore
from opslog.database import initialise
from projections import query
from projections.fold.cutoff import Cutoff
from projections.quarter import forms
from projections.readmodels.runner import Runner
from projections.render.markdown import render_markdown
from tests.commands.helpers import ADMIN, PLAN, given, update
from tests.projections.history import record_history

Q1, Q2, Q3 = Quarter(2018, 1), Quarter(2018, 2), Quarter(2018, 3)
PUBLISHED_TNO = "increased by 6.4 per cent (777,458 to 827,225 offences)"
RESTATED_TNO = "increased by 6.7 per cent (777,458 to 829,418 offences)"


@pytest.fixture
def history(store: EventStore) -> EventStore:
    record_history(store)
    return store


def markdown(store: EventStore, quarter: Quarter, reported: date | None,
             at_position: int | None = None) -> str:
    cutoff = query.resolve_cutoff(store, reported=reported, at_position=at_position)
    return render_markdown(query.report(store, quarter, cutoff))


def test_the_restatement_counts_from_its_release_on(history: EventStore) -> None:
    """Quarter 1's overview says 827,225 as reported on 30 June 2018 and up to 24 April
    2019, and 829,418 from the release of 25 April 2019, as it does at the head."""
    for day, figure in ((date(2018, 6, 30), PUBLISHED_TNO), (date(2019, 4, 24), PUBLISHED_TNO),
                        (date(2019, 4, 25), RESTATED_TNO), (None, RESTATED_TNO)):
        text = markdown(history, Q1, day)
        assert figure in text, (day, figure)


def test_the_central_east_go_live_moves_when_the_correction_was_reported(
    history: EventStore
) -> None:
    """As reported by the Quarter 2 return, Central East went live on 1 September 2018, in
    Quarter 2; as reported by the Quarter 3 return, on 1 November 2018, in Quarter 3."""
    live = "Central East BCU went live"
    assert "_1 September 2018 · Central East BCU went live" in markdown(
        history, Q2, date(2018, 9, 30))
    assert live not in markdown(history, Q3, date(2018, 9, 30))
    assert live not in markdown(history, Q2, date(2018, 12, 31))
    assert "_1 November 2018 · Central East BCU went live" in markdown(
        history, Q3, date(2018, 12, 31))
    assert live not in markdown(history, Q2, date(2018, 9, 29))


def test_before_its_sources_reported_anything_the_report_is_empty(history: EventStore) -> None:
    """As reported on 29 June 2018 nothing of Quarter 1 was reported yet, though all of it
    is recorded: no milestones, no figures; and the page says which cut it is."""
    before = query.report(history, Q1, Cutoff(reported=date(2018, 6, 29)))
    assert before.board.rows == () and "827,225" not in render_markdown(before)
    published = query.report(history, Q1, Cutoff(reported=date(2018, 6, 30)))
    assert len(published.board.rows) == 6
    assert "_As reported by 30 June 2018._" in render_markdown(published)
    assert forms.report_form(published)["cutoff"]["as_reported"] == "2018-06-30"
    assert "as_reported" not in forms.report_form(query.report(history, Q1, Cutoff()))["cutoff"]


def test_never_later_than_recorded(history: EventStore) -> None:
    """A declared date does not reach past the recorded cut-off: as reported on 25 April
    2019 but as recorded just before the restatement, the figure is the published one."""
    restatement = history.head().position
    assert PUBLISHED_TNO in markdown(history, Q1, date(2019, 4, 25), restatement - 1)
    assert RESTATED_TNO in markdown(history, Q1, date(2019, 4, 25), restatement)


def test_the_board_takes_the_cut_too_past_the_read_models(store: EventStore) -> None:
    """With the read models caught up (the board is then read whole from them), a board
    cut on the declared date still folds the log: nothing as reported before Quarter 1's
    return, all six milestones from it."""
    initialise(store)
    record_history(store)
    Runner(store).catch_up()
    assert len(query.board(store, Q1, Cutoff()).rows) == 6
    assert query.board(store, Q1, Cutoff(reported=date(2018, 6, 29))).rows == ()
    assert len(query.board(store, Q1, Cutoff(reported=date(2018, 6, 30))).rows) == 6


def test_a_correction_of_what_was_not_yet_reported_is_left_out_with_it(
    store: EventStore
) -> None:
    """An update declared on 30 September and its correction declared (oddly) on 1 August:
    as reported on 1 August neither counts, and the fold does not stop on the correction."""
    make_first_admin(store, ADMIN, direct())
    service = CommandService(store)
    given(service, *PLAN)
    given(service, {**update(update_id="late", effective_date="2018-06-01"),
                    "reported_on": "2018-09-30"})
    given(service, {"command": "CorrectEvent", "id": "fix/late", "actor": "recorder.vctf",
                    "reported_on": "2018-08-01",
                    "data": {"update_id": "late", "changes": {"title": "Corrected title"},
                             "reason": "the title was wrong"}})
    early = render_markdown(query.report(store, Q1, Cutoff(reported=date(2018, 8, 1))))
    late = render_markdown(query.report(store, Q1, Cutoff(reported=date(2018, 9, 30))))
    assert "Girls Allowed" not in early and "Corrected title" not in early
    assert "Corrected title" in late
