"""Commands that record operational updates: four typed kinds and a general one.

Every update names its topic, its unit, a title, the date it took effect, its narrative
and its named facts; a typed update also carries the facts its kind always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import fields, post_load, validate

from catalogue.fields import (
    FACT_KINDS,
    FactSchema,
    Money,
    count,
    identifier,
    text,
    title,
)
from catalogue.updates import UPDATE_KINDS, Fact
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Operational updates"


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
    effective_date = fields.Date(required=True,
                                 **about("when it took effect; not after today"))
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


class RecordTaskforceFormedSchema(UpdateSchema):
    taskforce_unit = identifier(required=True, **about("the registered taskforce unit"))
    officers = count(required=True, **about("dedicated officers"))
    teams = count(required=True, **about("teams formed"))
    locations = fields.List(title(), load_default=list, validate=validate.Length(max=50),
                            **about("where the teams are based"))
    funding_source = title(required=True, **about("who pays for it"))


@command("RecordTaskforceFormed", RecordTaskforceFormedSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RecordTaskforceFormed(UpdateCommand):
    """Record that a taskforce was formed: officers, teams, locations, funding."""

    taskforce_unit: str
    officers: int
    teams: int
    funding_source: str
    locations: tuple[str, ...] = ()


class RecordUnitWentLiveSchema(UpdateSchema):
    live_unit = identifier(required=True, **about("the registered BCU that went live"))
    boroughs = fields.List(title(), required=True, validate=validate.Length(min=1, max=40),
                           **about("the boroughs it brings together (as registered)"))


@command("RecordUnitWentLive", RecordUnitWentLiveSchema, GROUP)
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


@command("RecordAssetAcquired", RecordAssetAcquiredSchema, GROUP)
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


@command("RecordRolloutCompleted", RecordRolloutCompletedSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRolloutCompleted(UpdateCommand):
    """Record that a system finished rolling out: how many, by when."""

    system: str
    count_installed: int


class RecordOperationalUpdateSchema(UpdateSchema):
    kind = fields.String(required=True, validate=validate.OneOf(UPDATE_KINDS),
                         **about("what sort of update it is"))


@command("RecordOperationalUpdate", RecordOperationalUpdateSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RecordOperationalUpdate(UpdateCommand):
    """Record any other operational update under a topic: its kind, facts and narrative."""

    kind: str
