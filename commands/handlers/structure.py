"""Decide the plan's structure: themes, topics, units and roles."""

from __future__ import annotations

from catalogue import DomainEvent, RoleGranted, ThemeDefined, TopicDefined, UnitRegistered
from catalogue.streams import theme_stream, topic_stream, unit_stream
from commands.context import Context
from commands.definitions import DefineTheme, DefineTopic, GrantRole, RegisterUnit
from commands.errors import Refused
from commands.rules import references
from commands.rules.structure import check_unit
from commands.state import Role, State


def define_theme(state: State, command: DefineTheme, context: Context) -> list[DomainEvent]:
    references.new_stream(state, theme_stream(command.number), "number",
                          f"theme {command.number}")
    return [ThemeDefined(number=command.number, title=command.title)]


def define_topic(state: State, command: DefineTopic, context: Context) -> list[DomainEvent]:
    references.new_stream(state, topic_stream(command.topic_id), "topic_id",
                          f"topic {command.topic_id!r}")
    references.theme(state, command.theme)
    return [TopicDefined(topic_id=command.topic_id, theme=command.theme, title=command.title,
                         lead_in=command.lead_in)]


def register_unit(state: State, command: RegisterUnit, context: Context) -> list[DomainEvent]:
    references.new_stream(state, unit_stream(command.unit_id), "unit_id",
                          f"unit {command.unit_id!r}")
    event = UnitRegistered(unit_id=command.unit_id, name=command.name, kind=command.kind,
                           boroughs=list(command.boroughs), parent_unit=command.parent_unit)
    check_unit(state, event, context)
    return [event]


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
    return [RoleGranted(actor=command.actor, role=command.role, unit_id=command.unit_id)]
