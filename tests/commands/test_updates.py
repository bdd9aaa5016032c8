"""Operational updates: typed facts, real dates, known references, one id each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from catalogue import (
    AssetAcquired,
    Fact,
    OperationalUpdateRecorded,
    RolloutCompleted,
    TaskforceFormed,
    UnitWentLive,
)
from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import (
    SOUTH_WEST_RECORDER,
    VCTF_RECORDER,
    assert_refused,
    given,
    head,
    update,
    written,
)


def test_a_taskforce_formed_update_records_its_facts(
    plan: CommandService, store: EventStore
) -> None:
    """Officers, teams, locations and funding go into TaskforceFormed, linked to its milestone."""
    outcome = plan.submit(update(
        "RecordTaskforceFormed", VCTF_RECORDER, update_id="vctf-formed", milestone_id="vctf",
        title="Violent Crime Taskforce formed", effective_date="2018-04-01", narrative="",
        taskforce_unit="vctf", officers=150, teams=8,
        locations=["North East", "North West", "South East", "South West"],
        funding_source="Mayor of London",
        facts=[{"name": "applications received", "kind": "count", "value": 700}]))
    assert written(store, outcome) == [TaskforceFormed(
        update_id="vctf-formed", topic_id="violent-crime", unit_id="vctf",
        title="Violent Crime Taskforce formed", effective_date=date(2018, 4, 1),
        milestone_id="vctf", taskforce_unit="vctf", officers=150, teams=8,
        locations=["North East", "North West", "South East", "South West"],
        funding_source="Mayor of London",
        facts=[Fact(name="applications received", kind="count", value=700)])]


def test_an_asset_acquired_keeps_its_price_exact(plan: CommandService, store: EventStore) -> None:
    """£250m of a £412m programme is stored as exact decimal strings."""
    outcome = plan.submit(update(
        "RecordAssetAcquired", VCTF_RECORDER, asset="Empress State Building", acquirer="mopac",
        price="250000000", programme="Estates transformation", programme_value=412000000))
    (event,) = written(store, outcome)
    assert isinstance(event, AssetAcquired)
    assert (event.price, event.programme_value) == (Decimal("250000000"), Decimal("412000000"))
    (recorded,) = store.read_all(from_position=outcome.first_position or 0)
    assert recorded.data["price"] == "250000000.00"


def test_a_programme_is_worth_at_least_the_asset(plan: CommandService) -> None:
    """A wider programme worth less than the price is refused."""
    outcome = plan.submit(update("RecordAssetAcquired", VCTF_RECORDER, asset="ESB",
                                 acquirer="mopac", price="250000000",
                                 programme_value="41200000"))
    assert_refused(outcome, "programme_value", "less than the price")


def test_a_rollout_completed_records_the_count_installed(
    plan: CommandService, store: EventStore
) -> None:
    """RolloutCompleted carries the system and how many were installed."""
    outcome = plan.submit(update("RecordRolloutCompleted", VCTF_RECORDER,
                                 system="In Vehicle Mobile Application (IVMA)",
                                 count_installed=1200))
    (event,) = written(store, outcome)
    assert isinstance(event, RolloutCompleted)
    assert event.count_installed == 1200


def test_a_bcu_goes_live_once_with_its_own_boroughs(
    plan: CommandService, store: EventStore
) -> None:
    """UnitWentLive names a BCU and its registered boroughs, and only once."""
    base = {"unit_id": "south-west", "live_unit": "south-west",
            "effective_date": "2018-05-01"}
    assert_refused(plan.submit(update("RecordUnitWentLive", SOUTH_WEST_RECORDER, **base,
                                      boroughs=["Kingston", "Ealing"])),
                   "boroughs.1", "'Ealing' is not a borough of south-west")
    assert_refused(plan.submit(update("RecordUnitWentLive", VCTF_RECORDER, live_unit="vctf",
                                      boroughs=["Kingston"])), "live_unit", "not a BCU")
    outcome = plan.submit(update("RecordUnitWentLive", SOUTH_WEST_RECORDER, **base,
                                 boroughs=["Kingston", "Merton", "Richmond", "Wandsworth"]))
    (event,) = written(store, outcome)
    assert isinstance(event, UnitWentLive)
    assert event.boroughs == ["Kingston", "Merton", "Richmond", "Wandsworth"]
    assert_refused(plan.submit(update("RecordUnitWentLive", SOUTH_WEST_RECORDER, **base,
                                      boroughs=["Kingston"])), "live_unit", "already gone live")


def test_a_general_update_keeps_its_kind_and_named_facts(
    plan: CommandService, store: EventStore
) -> None:
    """Counts, money, percentages and changes are stored in their exact form."""
    outcome = plan.submit(update(kind="operation_outcome", facts=[
        {"name": "vehicles stopped", "kind": "count", "value": 80},
        {"name": "award", "kind": "money", "value": "4000000"},
        {"name": "would use again", "kind": "percent", "value": 92},
        {"name": "burglary in Havering", "kind": "change", "value": "-30"},
    ]))
    (event,) = written(store, outcome)
    assert isinstance(event, OperationalUpdateRecorded)
    assert event.kind == "operation_outcome"
    assert [fact.value for fact in event.facts] == [80, "4000000", "92", "-30"]


def test_fact_names_are_unique_within_an_update(plan: CommandService) -> None:
    """The same figure named twice is refused at the second."""
    outcome = plan.submit(update(facts=[{"name": "chats", "kind": "count", "value": 1975},
                                        {"name": "Chats", "kind": "count", "value": 1976}]))
    assert_refused(outcome, "facts.1.name", "named twice")


def test_an_effective_date_may_not_lie_in_the_future(
    plan: CommandService, store: EventStore
) -> None:
    """Recorded on 15 July 2018, an update effective on 16 July 2018 is refused."""
    before = head(store)
    assert_refused(plan.submit(update(effective_date="2018-07-16")), "effective_date",
                   "in the future (today is 2018-07-15)")
    assert plan.submit(update(effective_date="2018-07-15")).status is Status.ACCEPTED
    assert head(store) == before + 1


def test_references_must_exist_and_ids_are_unique(plan: CommandService) -> None:
    """Unknown topics, units and milestones are refused, as is an update id used before."""
    assert_refused(plan.submit(update(topic_id="terrorism")), "topic_id", "no topic")
    assert_refused(plan.submit(update(milestone_id="ivma")), "milestone_id", "no milestone")
    assert_refused(plan.submit(update("RecordTaskforceFormed", VCTF_RECORDER,
                                      taskforce_unit="south-west", officers=1, teams=1,
                                      funding_source="f")),
                   "taskforce_unit", "not a taskforce")
    assert_refused(plan.submit(update("RecordAssetAcquired", VCTF_RECORDER, asset="a",
                                      acquirer="nobody", price="1")), "acquirer", "no unit")
    given(plan, update(update_id="girls-allowed"))
    assert_refused(plan.submit(update(update_id="girls-allowed")), "update_id",
                   "update 'girls-allowed' already exists")
