"""A change in the world is not a correction of the record: a taskforce is formed once,
changes from a date on, and a formation recorded wrongly is corrected."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from catalogue import TaskforceChanged
from commands.service import CommandService
from eventstore import EventStore
from opslog.cli import main
from tests.commands.helpers import (
    SOUTH_WEST_RECORDER,
    VCTF_RECORDER,
    assert_refused,
    cmd,
    event_id,
    given,
    head,
    update,
    written,
)


def formed(**fields: object) -> dict[str, object]:
    """The VCTF formed on 1 April 2018 with 150 officers in 8 teams."""
    data: dict[str, object] = {
        "update_id": "vctf-formed", "title": "Violent Crime Taskforce formed",
        "effective_date": "2018-04-01", "taskforce_unit": "vctf", "officers": 150, "teams": 8,
        "funding_source": "Mayor of London", **fields}
    return update("RecordTaskforceFormed", VCTF_RECORDER, **data)


def grew(**fields: object) -> dict[str, object]:
    """The VCTF at 272 officers from 17 June 2018 (a date the test clock has passed)."""
    data: dict[str, object] = {
        "update_id": "vctf-272", "title": "Violent Crime Taskforce grows to 272 officers",
        "effective_date": "2018-06-17", "taskforce_unit": "vctf", "officers": 272, **fields}
    return update("RecordTaskforceChanged", VCTF_RECORDER, **data)


def test_a_change_records_what_changed_from_its_date(plan: CommandService,
                                                     store: EventStore) -> None:
    """Given a formation, a change records only the figures that changed, with its date."""
    given(plan, formed())
    outcome = plan.submit(grew())
    assert written(store, outcome) == [TaskforceChanged(
        update_id="vctf-272", topic_id="violent-crime", unit_id="vctf",
        title="Violent Crime Taskforce grows to 272 officers",
        effective_date=date(2018, 6, 17), taskforce_unit="vctf", officers=272,
        narrative=("In June, the Met led event 'Girls Allowed' brought together over 400 "
                   "people."))]


def test_a_second_formation_is_refused_naming_the_first(plan: CommandService,
                                                        store: EventStore) -> None:
    """Given the VCTF formed, forming it again (with 272 officers) is refused on
    taskforce_unit, naming the earlier formation; nothing is written."""
    given(plan, formed())
    before = head(store)
    assert_refused(plan.submit(formed(update_id="vctf-formed-again", officers=272)),
                   "taskforce_unit", "already formed", "'vctf-formed'", "2018-04-01",
                   "RecordTaskforceChanged")
    assert head(store) == before


def test_a_retracted_formation_may_be_recorded_again(plan: CommandService,
                                                     store: EventStore) -> None:
    """A formation that no longer counts does not block the one that replaces it."""
    (first,) = given(plan, formed())
    given(plan, cmd("RetractEvent", VCTF_RECORDER, event_id=event_id(store, first),
                    reason="recorded under the wrong date"))
    given(plan, formed(update_id="vctf-formed-2", effective_date="2018-04-02"))


def test_a_change_needs_a_formed_taskforce_and_a_date_after_it(plan: CommandService,
                                                              store: EventStore) -> None:
    """No formation yet, a date before the formation, or nothing changed: each refused,
    naming its field."""
    before = head(store)
    assert_refused(plan.submit(grew()), "taskforce_unit", "has not been formed")
    given(plan, formed())
    assert_refused(plan.submit(grew(effective_date="2018-03-31")), "effective_date",
                   "before 'vctf' was formed", "2018-04-01")
    assert_refused(plan.submit(grew(officers=None)), "officers", "at least one of")
    assert_refused(plan.submit(grew(taskforce_unit="south-west")), "taskforce_unit",
                   "not a taskforce")
    assert head(store) == before + 1


def test_a_change_is_recorded_as_the_formation_is_permitted(plan: CommandService) -> None:
    """Only a recorder of the update's unit records a change, as for the formation."""
    given(plan, formed())
    assert_refused(plan.submit(grew() | {"actor": SOUTH_WEST_RECORDER}), "actor")


def test_a_change_is_corrected_like_the_formation(plan: CommandService,
                                                  store: EventStore) -> None:
    """The record of a change can be wrong too: its figures and date are corrected, and a
    corrected date before the formation is refused."""
    given(plan, formed())
    (change,) = given(plan, grew())
    target = event_id(store, change)
    given(plan, cmd("CorrectEvent", VCTF_RECORDER, event_id=target,
                    changes={"officers": 270}, reason="two officers were counted twice"))
    assert_refused(plan.submit(cmd("CorrectEvent", VCTF_RECORDER, event_id=target,
                                   changes={"effective_date": "2018-03-01"},
                                   reason="wrong date")),
                   "changes.effective_date", "before 'vctf' was formed")


def test_opslog_commands_describes_the_change() -> None:
    """`opslog commands` reads the registry: the change, who may send it, its figures."""
    result = CliRunner().invoke(main, ["commands", "RecordTaskforceChanged"])
    assert result.exit_code == 0, result.output
    assert "RecordTaskforceChanged: Record what changed in a formed taskforce" in result.output
    assert "who: recorder for the update's unit_id" in result.output
    assert "officers        integer, optional" in result.output
