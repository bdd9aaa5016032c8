"""Commands that shape the plan and say who may act: themes, topics, units, roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate

from catalogue.fields import identifier, title
from catalogue.structure import ACTOR, ROLES, UNIT_KINDS
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Plan structure"


def theme_number(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=99), **kwargs)


class DefineThemeSchema(CommandSchema):
    number = theme_number(required=True, **about("the theme's number in the plan, 1 to 99"))
    title = title(required=True, **about("e.g. Tackling serious violence"))


@command("DefineTheme", DefineThemeSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class DefineTheme(Command):
    """Define a numbered theme of the plan."""

    number: int
    title: str


class DefineTopicSchema(CommandSchema):
    topic_id = identifier(required=True, **about("a new id, e.g. violent-crime"))
    theme = theme_number(required=True, **about("the number of a defined theme"))
    title = title(required=True, **about("e.g. Violent crime"))
    lead_in = fields.Boolean(
        load_default=False,
        **about("true for what a theme says before its first sub-section (no heading)"),
    )


@command("DefineTopic", DefineTopicSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class DefineTopic(Command):
    """Define a topic under a theme; topics keep the order they are defined in."""

    topic_id: str
    theme: int
    title: str
    lead_in: bool = False


class RegisterUnitSchema(CommandSchema):
    unit_id = identifier(required=True, **about("a new id, e.g. south-west"))
    name = title(required=True, **about("e.g. South West BCU"))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS),
                         **about("what sort of unit it is"))
    boroughs = fields.List(title(), load_default=list, validate=validate.Length(max=40),
                           **about("a BCU's boroughs (required for a BCU, none for others)"))
    parent_unit = identifier(load_default=None, allow_none=True,
                             **about("a registered unit this one belongs to"))


@command("RegisterUnit", RegisterUnitSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUnit(Command):
    """Register a unit that acts: a BCU with its boroughs, a taskforce, a partner."""

    unit_id: str
    name: str
    kind: str
    boroughs: tuple[str, ...] = ()
    parent_unit: str | None = None


class GrantRoleSchema(CommandSchema):
    actor = fields.String(required=True, validate=ACTOR, **about("who receives the role"))
    role = fields.String(required=True, validate=validate.OneOf(ROLES),
                         **about("what the actor may do (see who: under each command)"))
    unit_id = identifier(load_default=None, allow_none=True,
                         **about("the unit a recorder records for (required for recorders)"))


@command("GrantRole", GrantRoleSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class GrantRole(Command):
    """Grant an actor a role, for a unit where the role is unit-bound."""

    actor: str
    role: str
    unit_id: str | None = None
