"""Operational updates as the report shows them: date, title, narrative and facts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from catalogue import (
    AssetAcquired,
    Fact,
    OperationalUpdate,
    RolloutCompleted,
    TaskforceChanged,
    TaskforceFormed,
    UnitWentLive,
)
from projections.fold.records import Note, Source
from projections.fold.views import PlanView, Seen
from projections.quarter.figures import long_date, money, number


@dataclass(frozen=True, slots=True)
class FactLine:
    """One figure or detail of an update: ``officers: 150``."""

    name: str
    text: str
    value: str
    """The exact value as recorded (numbers as decimal strings)."""


@dataclass(frozen=True, slots=True)
class UpdateItem:
    update_id: str
    type: str
    title: str
    unit_id: str
    unit_name: str | None
    effective_date: date
    narrative: str
    facts: tuple[FactLine, ...]
    milestone_id: str | None
    source: Source
    notes: tuple[Note, ...]
    retracted: Note | None = None
    """When the update was retracted: the report omits its text and facts (a published
    update does not repeat what it withdrew) and prints this note in its place."""


def retracted_item(view: PlanView, seen: Seen[OperationalUpdate]) -> UpdateItem:
    """A retracted update: its title and date for the reader to recognise, and the note."""
    note = seen.record.retraction
    assert note is not None
    what = {"update": f"{seen.event.title}, {long_date(seen.event.effective_date)}"}
    return replace(update_item(view, seen), retracted=replace(note, previous=what))


def update_item(view: PlanView, seen: Seen[OperationalUpdate]) -> UpdateItem:
    event = seen.event
    unit = view.units.get(event.unit_id)
    return UpdateItem(
        update_id=event.update_id,
        type=seen.record.type,
        title=event.title,
        unit_id=event.unit_id,
        unit_name=unit.event.name if unit else None,
        effective_date=event.effective_date,
        narrative=event.narrative,
        facts=(*_typed_facts(view, event), *(fact_line(fact) for fact in event.facts)),
        milestone_id=event.milestone_id,
        source=seen.source,
        notes=seen.notes,
    )


def fact_line(fact: Fact) -> FactLine:
    """A named fact, formatted by its kind."""
    value = fact.value
    if fact.kind == "text":
        text = str(value)
    elif fact.kind == "money":
        text = money(Decimal(str(value)))
    elif fact.kind in ("percent", "change"):
        amount = Decimal(str(value))
        sign = "+" if fact.kind == "change" and amount > 0 else ""
        text = f"{sign}{amount:f} per cent"
    else:
        text = number(value if isinstance(value, int) else Decimal(str(value)))
    if fact.unit:
        text = f"{text} {fact.unit}"
    return FactLine(fact.name, text, str(value))


def _taskforce_change(event: TaskforceChanged) -> tuple[FactLine, ...]:
    """What the taskforce is from the change's date on: only the figures that changed."""
    lines = []
    if event.officers is not None:
        lines.append(FactLine("officers", number(event.officers), str(event.officers)))
    if event.teams is not None:
        lines.append(FactLine("teams", number(event.teams), str(event.teams)))
    if event.locations is not None:
        places = ", ".join(event.locations)
        lines.append(FactLine("locations", places, places))
    if event.funding_source is not None:
        lines.append(FactLine("funded by", event.funding_source, event.funding_source))
    return tuple(lines)


def _typed_facts(view: PlanView, event: OperationalUpdate) -> tuple[FactLine, ...]:
    if isinstance(event, TaskforceFormed):
        return (
            FactLine("officers", number(event.officers), str(event.officers)),
            FactLine("teams", number(event.teams), str(event.teams)),
            *((FactLine("locations", ", ".join(event.locations), ", ".join(event.locations)),)
              if event.locations else ()),
            FactLine("funded by", event.funding_source, event.funding_source),
        )
    if isinstance(event, TaskforceChanged):
        return _taskforce_change(event)
    if isinstance(event, UnitWentLive):
        boroughs = ", ".join(event.boroughs)
        return (FactLine("boroughs", boroughs, boroughs),)
    if isinstance(event, AssetAcquired):
        acquirer = view.units.get(event.acquirer)
        lines = [
            FactLine("asset", event.asset, event.asset),
            FactLine("acquired by", acquirer.event.name if acquirer else event.acquirer,
                     event.acquirer),
            FactLine("price", money(event.price), str(event.price)),
        ]
        if event.programme:
            lines.append(FactLine("programme", event.programme, event.programme))
        if event.programme_value is not None:
            lines.append(FactLine("programme value", money(event.programme_value),
                                  str(event.programme_value)))
        return tuple(lines)
    if isinstance(event, RolloutCompleted):
        return (
            FactLine("system", event.system, event.system),
            FactLine("installed", number(event.count_installed), str(event.count_installed)),
        )
    return ()
