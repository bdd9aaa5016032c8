"""The report across cut-offs: original, corrected and restated figures, each with its trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from catalogue import IndicatorValueRecorded, Quarter
from projections.fold.cutoff import Cutoff
from projections.fold.state import fold
from projections.quarter.forms import report_form
from projections.quarter.overview import Figure
from projections.quarter.report import MilestoneItem, Report, UpdateItem, build_report
from projections.render.markdown import render_markdown
from tests.projections.builders import LogWriter
from tests.projections.q1_log import Q1Log

Q1 = Quarter(2018, 1)


def _report(writer: LogWriter, cutoff: Cutoff | None = None) -> Report:
    return build_report(fold(writer.store.read_all()), Q1, cutoff or Cutoff())


def _crime_figure(report: Report) -> Figure:
    return report.overview[0].figures[0]


def _items(report: Report) -> list[MilestoneItem | UpdateItem]:
    return [item for theme in report.themes for topic in theme.topics for item in topic.items]


def _update_ids(report: Report) -> set[str]:
    found = set()
    for item in _items(report):
        updates = item.updates if isinstance(item, MilestoneItem) else (item,)
        found |= {update.update_id for update in updates if update.retracted is None}
    return found


def test_the_overview_computes_each_change_from_recorded_values(writer: LogWriter,
                                                                q1: Q1Log) -> None:
    """6.4 per cent from 777,458 and 827,225, naming both value events."""
    figure = _crime_figure(_report(writer))
    assert figure.text == ("total notifiable offences - increased by 6.4 per cent "
                           "(777,458 to 827,225 offences)")
    assert figure.before_source is not None and figure.after_source is not None
    assert figure.before_source.position == q1["tno-2016-17"].position
    assert figure.after_source.position == q1["tno-2017-18"].position
    assert figure.change is not None and figure.change.improved is False


def test_original_then_corrected_then_restated_across_cut_offs(writer: LogWriter,
                                                               q1: Q1Log) -> None:
    """Before the correction the original; after it the corrected value with a note; after
    a later release the restated value, noting what it restates."""
    fix = writer.correct(q1["tno-2017-18"], "transcription error", value="830000",
                         when="2018-08-02T10:00", actor="auditor.ann")
    restated = writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829000"), source="ONS revision",
        released_on=date(2018, 10, 18)), when="2018-10-19T09:00")
    original = _crime_figure(_report(writer, Cutoff(fix.position - 1)))
    corrected = _crime_figure(_report(writer, Cutoff(fix.position)))
    latest = _crime_figure(_report(writer))
    assert (original.after, original.notes, original.restated) == (Decimal("827225"), (), ())
    assert corrected.after == Decimal("830000")
    assert corrected.phrase == "increased by 6.8 per cent (777,458 to 830,000 offences)"
    (note,) = corrected.notes
    assert (note.actor, note.reason, note.recorded_at.date()) == (
        "auditor.ann", "transcription error", date(2018, 8, 2))
    assert latest.after == Decimal("829000")
    assert latest.after_source is not None
    assert latest.after_source.position == restated.position
    assert [item.value for item in latest.restated] == [Decimal("830000")]
    markdown = render_markdown(_report(writer, Cutoff(fix.position)), audit=True)
    assert ("_Corrected on 2 August 2018 by auditor.ann: transcription error "
            "(value: 827225 → 830000)._") in markdown
    assert ("Total notifiable offences: 2017-18 restated from 830,000 to 829,000 in the "
            "release of 18 October 2018, ONS revision (no reason recorded; recorded on "
            "19 October 2018).") in render_markdown(_report(writer))


def test_a_restatement_applies_from_its_effective_date(writer: LogWriter, q1: Q1Log) -> None:
    """Known now, but released in October: effective at 30 September it is not yet there."""
    writer.one(IndicatorValueRecorded(
        indicator_id="tno", period="2017-18", value=Decimal("829000"), source="ONS revision",
        released_on=date(2018, 10, 18)), when="2018-10-19T09:00")
    before = _crime_figure(_report(writer, Cutoff(effective=date(2018, 9, 30))))
    after = _crime_figure(_report(writer, Cutoff(effective=date(2018, 10, 18))))
    assert (before.after, after.after) == (Decimal("827225"), Decimal("829000"))


def test_a_missing_value_is_said_not_invented(writer: LogWriter, q1: Q1Log) -> None:
    """Before the values were released, the figure says none is recorded."""
    figure = _crime_figure(_report(writer, Cutoff(effective=date(2018, 4, 10))))
    assert figure.change is None
    assert figure.phrase == "(no value recorded for 2016-17 or 2017-18)"


def test_a_retracted_update_leaves_the_report_from_the_retraction_on(writer: LogWriter,
                                                                      q1: Q1Log) -> None:
    """As of before the retraction the update is there; after it, gone (but for its note)."""
    gone = writer.retract(q1["girls-allowed"], "recorded under the wrong quarter",
                          when="2018-08-01T09:00")
    assert "girls-allowed" in _update_ids(_report(writer, Cutoff(gone.position - 1)))
    assert "girls-allowed" not in _update_ids(_report(writer))


def test_updates_show_only_when_effective_by_the_date_asked(writer: LogWriter,
                                                            q1: Q1Log) -> None:
    """Effective at 30 April: the April updates, not the May and June ones."""
    early = _update_ids(_report(writer, Cutoff(effective=date(2018, 4, 30))))
    assert {"serious-violence-strategy", "vctf-formed", "chogm"} <= early
    assert {"south-west-live", "girls-allowed", "esb-acquired"}.isdisjoint(early)


def test_a_corrected_update_shows_its_new_facts_and_the_note(writer: LogWriter,
                                                             q1: Q1Log) -> None:
    """Officers corrected from 150 to 155: the facts line and the note both say so."""
    writer.correct(q1["vctf-formed"], "payroll figure", officers=155, when="2018-08-03T09:00",
                   actor="recorder.vctf")
    markdown = render_markdown(_report(writer), audit=True)
    assert "officers: 155" in markdown
    assert ("_Corrected on 3 August 2018 by recorder.vctf: payroll figure (officers: 150 → "
            "155)._") in markdown


def test_items_keep_the_order_they_were_first_recorded(writer: LogWriter, q1: Q1Log) -> None:
    """Under Violent crime: the strategy update, the VCTF milestone (with its linked
    update), then the Girls Allowed event."""
    topic = next(topic for theme in _report(writer).themes for topic in theme.topics
                 if topic.topic_id == "violent-crime")
    kinds = [item.row.milestone_id if isinstance(item, MilestoneItem) else item.update_id
             for item in topic.items]
    assert kinds == ["serious-violence-strategy", "vctf", "girls-allowed"]
    milestone = topic.items[1]
    assert isinstance(milestone, MilestoneItem)
    assert [update.update_id for update in milestone.updates] == ["vctf-formed"]
    assert milestone.heading == "Quarter 1, 2018-19: launch of the Violent Crime Task Force (VCTF)"


def test_the_json_form_traces_every_figure_and_status(writer: LogWriter, q1: Q1Log) -> None:
    """Each overview figure and each milestone names the events it came from."""
    form = report_form(_report(writer))
    figure = form["overview"]["paragraphs"][0]["figures"][0]
    assert figure["from"]["source"]["event_id"] == str(q1["tno-2016-17"].event_id)
    assert figure["to"]["source"]["position"] == q1["tno-2017-18"].position
    assert figure["change"] == {"percent": "6.4", "direction": "increase", "improved": False}
    milestones = [item for theme in form["themes"] for topic in theme["topics"]
                  for item in topic["items"] if item["kind"] == "milestone"]
    assert len(milestones) == 6
    assert all(item["source"]["position"] > 0 for item in milestones)
    assert form["board"]["summary"]["delivered"] == 6
