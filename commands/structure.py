"""The plan's structure and who may act: themes, topics, units, roles.

Per command: its schema, the typed command, how it is decided; `SPECS` at the end
registers each with its permission. These are never retracted, because other streams
depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate

from catalogue import (
    DomainEvent,
    RoleGranted,
    RoleRevoked,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from catalogue.fields import identifier, title
from catalogue.schemas.structure import ACTOR
from catalogue.streams import theme_stream, topic_stream, unit_stream
from catalogue.structure import ROLES, UNIT_KINDS
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.errors import Refused
from commands.permissions import ADMIN, STRUCTURE
from commands.spec import CommandSpec
from commands.write_model.state import Role, State

GROUP = "Plan structure"


def theme_number(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=99), **kwargs)


# -- DefineTheme ------------------------------------------------------------------------


class DefineThemeSchema(CommandSchema):
    number = theme_number(required=True, **about("the theme's number in the plan, 1 to 99"))
    title = title(required=True, **about("e.g. Tackling serious violence"))


@dataclass(frozen=True, slots=True, kw_only=True)
class DefineTheme(Command):
    """Define a numbered theme of the plan."""

    number: int
    title: str


def define_theme(state: State, command: DefineTheme, context: Context) -> list[DomainEvent]:
    references.new_stream(state, theme_stream(command.number), "number",
                          f"theme {command.number}")
    return [recorded(ThemeDefined, command)]


# -- DefineTopic ------------------------------------------------------------------------


class DefineTopicSchema(CommandSchema):
    topic_id = identifier(required=True, **about("a new id, e.g. violent-crime"))
    theme = theme_number(required=True, **about("the number of a defined theme"))
    title = title(required=True, **about("e.g. Violent crime"))
    lead_in = fields.Boolean(
        load_default=False,
        **about("true for what a theme says before its first sub-section (no heading)"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DefineTopic(Command):
    """Define a topic under a theme; topics keep the order they are defined in."""

    topic_id: str
    theme: int
    title: str
    lead_in: bool = False


def define_topic(state: State, command: DefineTopic, context: Context) -> list[DomainEvent]:
    references.new_stream(state, topic_stream(command.topic_id), "topic_id",
                          f"topic {command.topic_id!r}")
    references.theme(state, command.theme)
    return [recorded(TopicDefined, command)]


# -- RegisterUnit -----------------------------------------------------------------------


class RegisterUnitSchema(CommandSchema):
    unit_id = identifier(required=True, **about("a new id, e.g. south-west"))
    name = title(required=True, **about("e.g. South West BCU"))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS),
                         **about("what sort of unit it is"))
    boroughs = fields.List(title(), load_default=list, validate=validate.Length(max=40),
                           **about("a BCU's boroughs (required for a BCU, none for others)"))
    parent_unit = identifier(load_default=None, allow_none=True,
                             **about("a registered unit this one belongs to"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUnit(Command):
    """Register a unit that acts: a BCU with its boroughs, a taskforce, a partner."""

    unit_id: str
    name: str
    kind: str
    boroughs: tuple[str, ...] = ()
    parent_unit: str | None = None


def register_unit(state: State, command: RegisterUnit, context: Context) -> list[DomainEvent]:
    references.new_stream(state, unit_stream(command.unit_id), "unit_id",
                          f"unit {command.unit_id!r}")
    event = recorded(UnitRegistered, command)
    check_unit(state, event, context)
    return [event]


def check_unit(state: State, event: UnitRegistered, context: Context, prefix: str = "") -> None:
    """A BCU lists its boroughs, each once; other units list none; a parent exists."""
    if event.kind == "bcu" and not event.boroughs:
        raise Refused(f"{prefix}boroughs", "a BCU lists its boroughs")
    if event.kind != "bcu" and event.boroughs:
        raise Refused(f"{prefix}boroughs", f"only a BCU lists boroughs, not a {event.kind}")
    if len({borough.lower() for borough in event.boroughs}) != len(event.boroughs):
        raise Refused(f"{prefix}boroughs", "a borough is listed twice")
    if event.parent_unit is not None:
        references.unit(state, event.parent_unit, f"{prefix}parent_unit")
        if event.parent_unit == event.unit_id:
            raise Refused(f"{prefix}parent_unit", "a unit cannot be its own parent")


# -- GrantRole --------------------------------------------------------------------------


class GrantRoleSchema(CommandSchema):
    actor = fields.String(required=True, validate=ACTOR, **about("who receives the role"))
    role = fields.String(required=True, validate=validate.OneOf(ROLES),
                         **about("what the actor may do (see who: under each command)"))
    unit_id = identifier(load_default=None, allow_none=True,
                         **about("the unit a recorder records for (required for recorders)"))


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantRole(Command):
    """Grant an actor a role, for a unit where the role is unit-bound."""

    actor: str
    role: str
    unit_id: str | None = None


def grant_role(state: State, command: GrantRole, context: Context) -> list[DomainEvent]:
    """Recorders are bound to a unit; auditors hold no other role; a grant is made once."""
    if command.role == "recorder" and command.unit_id is None:
        raise Refused("unit_id", "a recorder records for one unit: name it")
    if command.unit_id is not None:
        references.unit(state, command.unit_id)
    held = state.roles_of(command.actor)
    role = Role(command.role, command.unit_id)
    if role in held:
        raise Refused("role", f"{command.actor!r} is already {role}")
    if command.role == "auditor" and held:
        roles = ", ".join(str(each) for each in sorted(held))
        raise Refused("role", f"an auditor holds no other role, and {command.actor!r} is {roles}")
    if any(each.role == "auditor" for each in held):
        raise Refused("role", f"{command.actor!r} is an auditor, and auditors hold no other role")
    return [recorded(RoleGranted, command)]


# -- RevokeRole -------------------------------------------------------------------------


class RevokeRoleSchema(CommandSchema):
    actor = fields.String(required=True, validate=ACTOR, **about("who loses the role"))
    role = fields.String(required=True, validate=validate.OneOf(ROLES),
                         **about("the role as it was granted"))
    unit_id = identifier(load_default=None, allow_none=True,
                         **about("the unit of a recorder's role"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeRole(Command):
    """Take a role back; commands the actor submits after it are decided without it."""

    actor: str
    role: str
    unit_id: str | None = None


def revoke_role(state: State, command: RevokeRole, context: Context) -> list[DomainEvent]:
    """Only a role held is revoked; the last admin is kept, or no one could grant again."""
    role = Role(command.role, command.unit_id)
    held = state.roles_of(command.actor)
    if role not in held:
        holds = ", ".join(str(each) for each in sorted(held)) or "no role"
        raise Refused("role", f"{command.actor!r} is not {role} (holds {holds})")
    if command.role == ADMIN:
        admins = [actor for actor, roles in state.roles.items() if Role(ADMIN, None) in roles]
        if admins == [command.actor]:
            raise Refused("actor", f"{command.actor!r} is the last admin: grant admin to "
                          "another actor first")
    return [recorded(RoleRevoked, command)]


SPECS = (
    CommandSpec(DefineTheme, DefineThemeSchema(), define_theme, STRUCTURE, GROUP,
                records=ThemeDefined, correctable=("title",)),
    CommandSpec(DefineTopic, DefineTopicSchema(), define_topic, STRUCTURE, GROUP,
                records=TopicDefined, correctable=("title",)),
    CommandSpec(RegisterUnit, RegisterUnitSchema(), register_unit, STRUCTURE, GROUP,
                records=UnitRegistered, correctable=("name", "boroughs"), check=check_unit),
    CommandSpec(GrantRole, GrantRoleSchema(), grant_role,
                STRUCTURE, GROUP, records=RoleGranted),
    CommandSpec(RevokeRole, RevokeRoleSchema(), revoke_role, STRUCTURE, GROUP,
                records=RoleRevoked),
)
