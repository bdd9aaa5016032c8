"""The Q1 2018-19 sample holds the whole reference report and records once."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from catalogue import (
    AssetAcquired,
    DomainEvent,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneProgressReported,
    MilestoneScheduled,
    OperationalUpdate,
    QuarterOverviewWritten,
    RolloutCompleted,
    TaskforceFormed,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
    from_recorded,
)
from catalogue.precision import stored_form
from commands.identity import direct, make_first_admin
from commands.outcome import Outcome, Status
from commands.sample import SAMPLE_ADMIN, sample_commands, sample_text
from commands.service import CommandService
from eventstore import EventStore
from tests.reference import reference_text

CAPTIONS = ("UNDER 25 KNIFE", "PROJECT SERVATOR DEPLOYED", "OPERATION RAPTOR AT")


def record_sample(store: EventStore) -> list[Outcome]:
    make_first_admin(store, SAMPLE_ADMIN, direct())
    service = CommandService(store)
    outcomes = []
    for line, item in sample_commands():
        assert isinstance(item, dict), f"line {line}: {item}"
        outcomes.append(service.submit(item))
    return outcomes


@pytest.fixture
def recorded(store: EventStore) -> list[DomainEvent]:
    """The sample, recorded on a fresh store, read back as typed events in log order."""
    outcomes = record_sample(store)
    refused = [outcome.describe() for outcome in outcomes if not outcome.accepted]
    assert not refused
    return [from_recorded(event).event for event in store.read_all()]


def of(events: list[DomainEvent], kind: type[Any]) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


def test_every_sample_command_is_accepted_and_a_second_run_records_nothing(
    store: EventStore,
) -> None:
    """All commands land; replaying the file answers each with its first result."""
    first = record_sample(store)
    assert all(outcome.status is Status.ACCEPTED for outcome in first)
    head = store.head().position
    again = record_sample(store)
    assert all(outcome.status is Status.REPLAYED for outcome in again)
    assert [o.first_position for o in again] == [o.first_position for o in first]
    assert store.head().position == head
    assert store.verify().ok


def test_the_structure_matches_the_report(recorded: list[DomainEvent]) -> None:
    """Themes 1 to 6 with the report's titles, and its topics in the report's order."""
    assert [(theme.number, theme.title) for theme in of(recorded, ThemeDefined)] == [
        (1, "Introduction"), (2, "Tackling serious violence"), (3, "Safeguarding"),
        (4, "Acquisitive crime"), (5, "Achieving the best outcomes"),
        (6, "Developing our key capabilities")]
    topics = [(topic.theme, topic.title) for topic in of(recorded, TopicDefined)
              if not topic.lead_in]
    assert topics == [
        (2, "Violent crime"), (2, "Terrorism"), (3, "Child sexual exploitation and abuse"),
        (3, "Serious sexual offences, stalking, harassment"), (3, "Domestic Abuse"),
        (3, "Modern slavery"), (4, "Moped crime"), (4, "Local crime priorities"),
        (5, "Prevention and investigation"), (5, "Responding to the public"),
        (6, "Smarter working"), (6, "Leadership"), (6, "Estates")]


def test_the_units_named_in_the_report_are_registered(recorded: list[DomainEvent]) -> None:
    """BCUs with their boroughs, the taskforce and MOPAC."""
    units = {unit.unit_id: unit for unit in of(recorded, UnitRegistered)}
    assert units["south-west"].boroughs == ["Kingston", "Merton", "Richmond", "Wandsworth"]
    assert units["west"].boroughs == ["Ealing", "Hounslow", "Hillingdon"]
    assert "Havering" in units["east"].boroughs
    assert units["central-north"].kind == "bcu"
    assert units["vctf"].kind == "taskforce"
    assert units["mopac"].kind == "partner"


def test_six_milestones_are_delivered_as_the_text_says(recorded: list[DomainEvent]) -> None:
    """Each Quarter 1 milestone is scheduled, then reported delivered as at 30 June 2018."""
    titles = [milestone.title for milestone in of(recorded, MilestoneScheduled)]
    assert titles == [
        "launch of the Violent Crime Task Force (VCTF)",
        "conclude and evaluate our website Live Chat trial and report on way forward",
        "IVMA roll out on ANPR vehicle is completed",
        "Acquisition by MOPAC of ESB complete",
        "Charing Cross Police Station refurbishment works start",
        "Local Police Station – detailed designs start",
    ]
    reports = of(recorded, MilestoneProgressReported)
    assert {(report.status, str(report.quarter), str(report.as_of)) for report in reports} == {
        ("delivered", "2018-19-Q1", "2018-06-30")}
    assert len(reports) == 6


def reference_paragraphs() -> Iterator[str]:
    """The report's narrative lines after the overview, without headings and captions."""
    lines = reference_text().splitlines()
    start = lines.index("## 2- Tackling serious violence")
    for line in lines[start:]:
        text = line.strip()
        if not text or text.startswith(("#", "**Quarter 1")) or text.startswith(CAPTIONS):
            continue
        yield text


def test_the_narrative_is_the_reports_paragraph_by_paragraph_in_order(
    recorded: list[DomainEvent],
) -> None:
    """Every narrative line of the report appears, in the report's order of recording."""
    narratives = [event.narrative for event in recorded
                  if isinstance(event, OperationalUpdate | MilestoneProgressReported)]
    text = "\n\n".join(narratives)
    offset = 0
    for paragraph in reference_paragraphs():
        found = text.find(paragraph, offset)
        assert found >= 0, f"missing or out of order: {paragraph[:80]}"
        offset = found + len(paragraph)


def test_the_overview_cites_the_crime_figures_instead_of_quoting_them(
    recorded: list[DomainEvent],
) -> None:
    """No figure is typed in; from the values the report computes the reference's sentence."""
    (overview,) = of(recorded, QuarterOverviewWritten)
    text = " ".join(paragraph.text for paragraph in overview.paragraphs)
    for figure in ("777,458", "827,225", "237,774", "250,287", "12,115", "14,680",
                   "6.4", "5.26", "21.2"):
        assert figure not in text
    assert overview.introduction[0].startswith("Operational policing in London")
    definitions = {event.indicator_id: event for event in of(recorded, IndicatorDefined)}
    values = {(event.indicator_id, event.period): event.value
              for event in of(recorded, IndicatorValueRecorded)}
    changes = []
    for paragraph in overview.paragraphs:
        for figure in paragraph.figures:
            before = values[(figure.indicator_id, figure.from_period)]
            after = values[(figure.indicator_id, figure.to_period)]
            places = Decimal(1).scaleb(-definitions[figure.indicator_id].change_decimals)
            change = ((after - before) / before * 100).quantize(places, ROUND_HALF_UP)
            changes.append((figure.indicator_id, before, after, change))
    lead = overview.paragraphs[0].figures[0].label
    phrase = "increased by 6.4 per cent (777,458 to 827,225 offences)"
    reference = reference_text().splitlines()
    assert overview.paragraphs[0].text.replace("{1}", f"{lead} {phrase}") in reference
    assert changes == [
        ("total-notifiable-offences", Decimal(777458), Decimal(827225), Decimal("6.4")),
        ("violence-against-the-person", Decimal(237774), Decimal(250287), Decimal("5.26")),
        ("knife-crime", Decimal(12115), Decimal(14680), Decimal("21.2")),
    ]


def facts_of(update: OperationalUpdate) -> dict[str, Any]:
    return {fact.name: fact.value for fact in update.facts}


def test_the_updates_carry_the_reports_figures(recorded: list[DomainEvent]) -> None:
    """Officers, applications, devices, chats and shares, £250m of £412m, arrests, vehicles."""
    updates = {update.update_id: update for update in of(recorded, OperationalUpdate)}
    vctf = updates["vctf-formed"]
    assert isinstance(vctf, TaskforceFormed) and vctf.milestone_id == "vctf"
    assert (vctf.officers, vctf.teams, len(vctf.locations)) == (150, 8, 4)
    assert facts_of(vctf) == {"applications received (more than)": 700}
    ivma = updates["ivma-rollout"]
    assert isinstance(ivma, RolloutCompleted) and ivma.count_installed == 1200
    chats = facts_of(updates["live-chat-evaluation"])
    assert chats["chats managed by the MetCC Digital team"] == 1975
    assert sorted(value for name, value in chats.items() if name.startswith("chats started")) == [
        "20", "23", "24", "33"]
    assert chats["users who would use Live Chat again"] == "92"
    esb = updates["esb-acquired"]
    assert isinstance(esb, AssetAcquired) and esb.milestone_id == "esb"
    assert (esb.price, esb.programme_value, esb.acquirer) == (
        Decimal(250_000_000), Decimal(412_000_000), "mopac")
    mexico = facts_of(updates["operation-mexico"])
    assert (mexico["people charged (more than)"], mexico["offences charged (over)"]) == (60, 160)
    assert facts_of(updates["m1-modern-slavery-operation"])["vehicles stopped (more than)"] == 80
    live = [update for update in updates.values() if isinstance(update, UnitWentLive)]
    assert [(u.live_unit, stored_form(u.effective_date)) for u in live] == [
        ("south-west", "2018-05"), ("west", "2018-06")]


def test_the_sample_ships_inside_the_package() -> None:
    """The file is read through importlib.resources, one command per line."""
    lines = sample_text().splitlines()
    assert len(lines) == len(list(sample_commands()))
