"""Operational updates: four typed kinds and a general one, under one rule set.

Every update names its topic, its unit, a title, the date it took effect, its narrative
and its named facts; a typed update also carries the facts its kind always has. The
kinds share one decide function and one check; `SPECS` at the end registers each kind
with the event it records and the fields a correction may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from marshmallow import fields, post_load, validate

from catalogue import (
    AssetAcquired,
    DomainEvent,
    OperationalUpdate,
    OperationalUpdateRecorded,
    RolloutCompleted,
    TaskforceChanged,
    TaskforceFormed,
    UnitWentLive,
)
from catalogue.fields import (
    FACT_KINDS,
    FactSchema,
    Money,
    PreciseDateField,
    count,
    identifier,
    text,
    title,
)
from catalogue.streams import update_stream
from catalogue.updates import TASKFORCE_FIGURES, UPDATE_KINDS, Fact
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.dates import not_in_future
from commands.errors import Refused
from commands.milestones import live_milestone
from commands.permissions import RECORDER, Policy
from commands.spec import CommandSpec
from commands.write_model.state import ONE_OFFS, State, one_off_key

GROUP = "Operational updates"
UPDATE_FIELDS = ("title", "effective_date", "narrative", "facts")
"""What a correction may change on every kind of update."""


class FactInput(FactSchema):
    """A named figure: count (whole ≥ 0), money (exact £), percent (0–100), change, number, text."""

    name = title(required=True, **about("what is counted, e.g. applications received"))
    kind = fields.String(required=True, validate=validate.OneOf(FACT_KINDS),
                         **about("how the value is read"))
    value = fields.Raw(required=True, **about(
        "count: integer ≥ 0; money: pounds; percent: 0 to 100; change: % ≥ -100; "
        "number: exact; text: words (numbers as integers or decimal strings)"))
    unit = fields.String(load_default=None, validate=validate.Length(max=60),
                         **about("what the value is in, if not plain, e.g. officers"))

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Fact:
        return Fact(**data)


class UpdateSchema(CommandSchema):
    """The fields every update command has."""

    update_id = identifier(required=True, **about("a new id for this update"))
    topic_id = identifier(required=True, **about("the topic it is reported under"))
    unit_id = identifier(required=True, **about("the unit reporting it (a recorder's own)"))
    title = title(required=True, **about("one line saying what happened"))
    effective_date = PreciseDateField(required=True, **about(
        "when it took effect, not after today: a day (2018-05-14), or a month (2018-05) or "
        "quarter (2018-19-Q1) when that is all the source says"))
    narrative = text(load_default="",
                     **about("the report's text; paragraphs split by a blank line"))
    milestone_id = identifier(load_default=None, allow_none=True,
                              **about("the milestone this update reports on, if any"))
    facts = fields.List(fields.Nested(FactInput), load_default=list,
                        validate=validate.Length(max=100),
                        **about("named figures: {name, kind, value, unit?}"))


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCommand(Command):
    """What every update command carries."""

    update_id: str
    topic_id: str
    unit_id: str
    title: str
    effective_date: date
    narrative: str = ""
    milestone_id: str | None = None
    facts: tuple[Fact, ...] = ()


def record_update(event_class: type[OperationalUpdate], state: State, command: UpdateCommand,
                  context: Context) -> list[DomainEvent]:
    """A new update id, under a known topic, for a known unit, about a live milestone,
    recorded as an `event_class`."""
    references.new_stream(state, update_stream(command.update_id), "update_id",
                          f"update {command.update_id!r}")
    references.topic(state, command.topic_id)
    references.unit(state, command.unit_id)
    if command.milestone_id is not None:
        live_milestone(state, command.milestone_id)
    event = recorded(event_class, command)
    check_update(state, event, context)
    if isinstance(event, UnitWentLive) and event.live_unit in state.live_units:
        raise Refused("live_unit", f"{event.live_unit!r} has already gone live")
    if isinstance(event, TaskforceFormed):
        _not_formed_before(state, event.taskforce_unit)
    return [event]


def _not_formed_before(state: State, taskforce_unit: str) -> None:
    """A taskforce is formed once: what changes later is a change, and a formation recorded
    wrongly is corrected."""
    earlier = state.taskforces.get(taskforce_unit)
    if earlier is not None:
        raise Refused("taskforce_unit", (
            f"{taskforce_unit!r} was already formed by update {earlier.update_id!r} "
            f"(effective {earlier.effective_date}): record what changed since with "
            "RecordTaskforceChanged, or correct that update with CorrectEvent"))


def check_update(state: State, event: OperationalUpdate, context: Context,
                 prefix: str = "") -> None:
    """Its date has happened, its facts are named once, its kind's own facts fit."""
    not_in_future(event.effective_date, context, f"{prefix}effective_date")
    distinct_names(event.facts, f"{prefix}facts")
    if isinstance(event, TaskforceFormed | TaskforceChanged):
        taskforce = references.unit(state, event.taskforce_unit, f"{prefix}taskforce_unit")
        if taskforce.kind != "taskforce":
            raise Refused(f"{prefix}taskforce_unit",
                          f"{taskforce.unit_id!r} is a {taskforce.kind}, not a taskforce")
        if isinstance(event, TaskforceChanged):
            _check_changed(state, event, prefix)
    elif isinstance(event, UnitWentLive):
        _check_went_live(state, event, prefix)
    elif isinstance(event, AssetAcquired):
        references.unit(state, event.acquirer, f"{prefix}acquirer")
        if event.programme_value is not None and event.programme_value < event.price:
            raise Refused(f"{prefix}programme_value",
                          f"£{event.programme_value} is less than the price £{event.price}")
    _once(state, event, context, prefix)


def _once(state: State, event: OperationalUpdate, context: Context, prefix: str) -> None:
    """An asset is acquired once and a rollout completes once: a second one (or a
    correction renaming one into another) is refused, naming the first."""
    key = one_off_key(event)
    earlier = state.one_offs.get(key) if key is not None else None
    answering = context.target.event_id if context.target is not None else None
    if earlier is None or earlier.event_id == answering:
        return
    field_name, happened = ONE_OFFS[type(event)]
    raise Refused(f"{prefix}{field_name}", (
        f"{getattr(event, field_name)!r} was already {happened} by update "
        f"{earlier.update_id!r} (effective {earlier.effective_date}): correct that update "
        "with CorrectEvent if it was recorded wrongly, or retract it"))


def _check_changed(state: State, event: TaskforceChanged, prefix: str) -> None:
    """A change says what changed, of a taskforce formed by its effective date."""
    if not event.changed:
        raise Refused(f"{prefix}officers", "a change names what changed: give at least one of "
                      f"{', '.join(TASKFORCE_FIGURES)}")
    formation = state.taskforces.get(event.taskforce_unit)
    if formation is None:
        raise Refused(f"{prefix}taskforce_unit", f"{event.taskforce_unit!r} has not been formed "
                      "(record its formation with RecordTaskforceFormed first)")
    if event.effective_date < formation.effective_date:
        raise Refused(f"{prefix}effective_date", (
            f"{event.effective_date} is before {event.taskforce_unit!r} was formed "
            f"({formation.effective_date}, update {formation.update_id!r})"))


def _check_went_live(state: State, event: UnitWentLive, prefix: str) -> None:
    """The unit is a BCU and the boroughs are its own."""
    bcu = references.unit(state, event.live_unit, f"{prefix}live_unit")
    if bcu.kind != "bcu":
        raise Refused(f"{prefix}live_unit", f"{bcu.unit_id!r} is a {bcu.kind}, not a BCU")
    registered = {borough.lower() for borough in bcu.boroughs}
    for index, borough in enumerate(event.boroughs):
        if borough.lower() not in registered:
            raise Refused(
                f"{prefix}boroughs.{index}",
                f"{borough!r} is not a borough of {bcu.unit_id} ({', '.join(bcu.boroughs)})",
            )


def distinct_names(facts: Sequence[Fact], field: str = "facts") -> None:
    """Each fact is named once, so a figure has one value."""
    seen: set[str] = set()
    for index, fact in enumerate(facts):
        name = fact.name.strip().lower()
        if name in seen:
            raise Refused(f"{field}.{index}.name", f"{fact.name!r} is named twice")
        seen.add(name)


def _unit_named(state: State, subject: UpdateCommand | OperationalUpdate) -> str:
    return references.unit(state, subject.unit_id).unit_id


UPDATE = Policy(RECORDER, _unit_named, "for the update's unit_id")


# -- the kinds --------------------------------------------------------------------------


class RecordTaskforceFormedSchema(UpdateSchema):
    taskforce_unit = identifier(required=True, **about("the registered taskforce unit"))
    officers = count(required=True, **about("dedicated officers"))
    teams = count(required=True, **about("teams formed"))
    locations = fields.List(title(), load_default=list, validate=validate.Length(max=50),
                            **about("where the teams are based"))
    funding_source = title(required=True, **about("who pays for it"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordTaskforceFormed(UpdateCommand):
    """Record that a taskforce was formed: officers, teams, locations, funding."""

    taskforce_unit: str
    officers: int
    teams: int
    funding_source: str
    locations: tuple[str, ...] = ()


class RecordTaskforceChangedSchema(UpdateSchema):
    taskforce_unit = identifier(required=True, **about("the formed taskforce that changed"))
    officers = count(load_default=None, allow_none=True,
                     **about("dedicated officers from the effective date, if that changed"))
    teams = count(load_default=None, allow_none=True,
                  **about("teams from the effective date, if that changed"))
    locations = fields.List(title(), load_default=None, allow_none=True,
                            validate=validate.Length(max=50),
                            **about("where the teams are based from then, if that changed"))
    funding_source = title(load_default=None, allow_none=True,
                           **about("who pays for it from then, if that changed"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordTaskforceChanged(UpdateCommand):
    """Record what changed in a formed taskforce from its effective date on (not a correction).

    E.g. 272 officers from 17 September 2018. A formation recorded wrongly is corrected
    with CorrectEvent instead."""

    taskforce_unit: str
    officers: int | None = None
    teams: int | None = None
    locations: tuple[str, ...] | None = None
    funding_source: str | None = None


class RecordUnitWentLiveSchema(UpdateSchema):
    live_unit = identifier(required=True, **about("the registered BCU that went live"))
    boroughs = fields.List(title(), required=True, validate=validate.Length(min=1, max=40),
                           **about("the boroughs it brings together (as registered)"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordUnitWentLive(UpdateCommand):
    """Record that a BCU went live on its effective date, with its boroughs."""

    live_unit: str
    boroughs: tuple[str, ...]


class RecordAssetAcquiredSchema(UpdateSchema):
    asset = title(required=True, **about("what was acquired, e.g. Empress State Building"))
    acquirer = identifier(required=True, **about("the registered unit that acquired it"))
    price = Money(required=True, **about("what it cost"))
    programme = title(load_default=None, allow_none=True,
                      **about("the wider programme it is part of"))
    programme_value = Money(load_default=None, allow_none=True,
                            **about("the wider programme's whole value"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordAssetAcquired(UpdateCommand):
    """Record that an asset was acquired for an exact price, within a programme."""

    asset: str
    acquirer: str
    price: Decimal
    programme: str | None = None
    programme_value: Decimal | None = None


class RecordRolloutCompletedSchema(UpdateSchema):
    system = title(required=True, **about("what was rolled out"))
    count_installed = count(required=True, **about("how many were installed"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRolloutCompleted(UpdateCommand):
    """Record that a system finished rolling out: how many, by when."""

    system: str
    count_installed: int


class RecordOperationalUpdateSchema(UpdateSchema):
    kind = fields.String(required=True, validate=validate.OneOf(UPDATE_KINDS),
                         **about("what sort of update it is"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordOperationalUpdate(UpdateCommand):
    """Record any other operational update under a topic: its kind, facts and narrative."""

    kind: str


def _kind(command_class: type[UpdateCommand], schema: UpdateSchema,
          event_class: type[OperationalUpdate], *own_fields: str) -> CommandSpec:
    """An update kind's entry: the fields a correction may change are every update's and
    the kind's `own_fields`."""
    return CommandSpec(command_class, schema, partial(record_update, event_class), UPDATE,
                       GROUP, records=event_class, correctable=UPDATE_FIELDS + own_fields,
                       retractable=True, check=check_update)


SPECS = (
    _kind(RecordTaskforceFormed, RecordTaskforceFormedSchema(), TaskforceFormed,
          *TASKFORCE_FIGURES),
    _kind(RecordTaskforceChanged, RecordTaskforceChangedSchema(), TaskforceChanged,
          *TASKFORCE_FIGURES),
    _kind(RecordUnitWentLive, RecordUnitWentLiveSchema(), UnitWentLive, "boroughs"),
    _kind(RecordAssetAcquired, RecordAssetAcquiredSchema(), AssetAcquired,
          "asset", "price", "programme", "programme_value"),
    _kind(RecordRolloutCompleted, RecordRolloutCompletedSchema(), RolloutCompleted,
          "system", "count_installed"),
    _kind(RecordOperationalUpdate, RecordOperationalUpdateSchema(), OperationalUpdateRecorded,
          "kind"),
)
