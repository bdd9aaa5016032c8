"""Every command's fields, types and requirements, read off the schemas themselves.

``opslog commands`` prints this, so a unit can write a command file without reading
code, and the listing can never drift from what `submit` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, missing, validate

from catalogue.fields import IDENTIFIER, ExactDecimal, Money, PeriodField, QuarterField
from commands.registry import COMMANDS
from commands.spec import CommandSpec


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type: str
    required: bool
    description: str
    default: Any = None
    choices: tuple[str, ...] = ()
    fields: tuple[FieldInfo, ...] = ()
    """The fields of each object in a nested list or object."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type,
                                "required": self.required, "description": self.description}
        if not self.required and self.default is not None:
            data["default"] = self.default
        if self.choices:
            data["choices"] = list(self.choices)
        if self.fields:
            data["fields"] = [child.as_dict() for child in self.fields]
        return data


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    group: str
    summary: str
    who: str
    fields: tuple[FieldInfo, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"command": self.name, "group": self.group, "summary": self.summary,
                "who": self.who, "fields": [field.as_dict() for field in self.fields]}

    def example(self) -> dict[str, Any]:
        """A command line with every required field filled with a placeholder."""
        return {"command": self.name, "id": f"example/{self.name.lower()}",
                "data": _example_object(self.fields)}


def describe_commands() -> list[CommandInfo]:
    """Every registered command, in the registry's order (area by area)."""
    return [describe_command(spec) for spec in COMMANDS.values()]


def describe_command(spec: CommandSpec) -> CommandInfo:
    return CommandInfo(
        name=spec.name,
        group=spec.group,
        summary=spec.summary,
        who=spec.permission.describe(),
        fields=_schema_fields(spec.schema),
    )


def _schema_fields(schema: Schema) -> tuple[FieldInfo, ...]:
    return tuple(_field(name, field) for name, field in schema.fields.items())


def _field(name: str, field: fields.Field[Any]) -> FieldInfo:
    type_name, children = _type(field)
    default = field.load_default
    if callable(default):
        default = default()
    return FieldInfo(
        name=name,
        type=type_name,
        required=field.required,
        description=str(field.metadata.get("description", "")),
        default=None if default is missing else default,
        choices=_choices(field),
        fields=children,
    )


def _type(field: fields.Field[Any]) -> tuple[str, tuple[FieldInfo, ...]]:
    if isinstance(field, fields.Nested):
        nested = field.schema
        return "object", _schema_fields(nested)
    if isinstance(field, fields.List):
        inner, children = _type(field.inner)
        return f"list of {inner}", children
    named: tuple[tuple[type[fields.Field[Any]], str], ...] = (
        (QuarterField, "quarter (2018-19-Q1)"),
        (PeriodField, "period (2017-18, 2018-19-Q1 or 2018-06)"),
        (Money, "money (pounds, \"250000000\")"),
        (ExactDecimal, "exact number (\"827225\")"),
        (fields.Date, "date (YYYY-MM-DD)"),
        (fields.Integer, "integer"),
        (fields.Boolean, "boolean"),
        (fields.UUID, "event id (UUID)"),
        (fields.Dict, "object"),
    )
    for field_class, label in named:
        if isinstance(field, field_class):
            return label, ()
    if isinstance(field, fields.String):
        if _choices(field):
            return "one of", ()
        if any(isinstance(check, validate.Regexp) and check.regex.pattern == IDENTIFIER.pattern
               for check in field.validators):
            return "id (lowercase, digits, -)", ()
        return "text", ()
    return "value", ()


def _choices(field: fields.Field[Any]) -> tuple[str, ...]:
    for check in field.validators:
        if isinstance(check, validate.OneOf):
            return tuple(str(choice) for choice in check.choices)
    return ()


_PLACEHOLDERS = {
    "quarter": "2018-19-Q1",
    "period": "2017-18",
    "money": "250000000",
    "exact number": "827225",
    "date": "2018-06-30",
    "integer": 1,
    "boolean": False,
    "event id": "00000000-0000-0000-0000-000000000000",
    "id": "example-id",
    "object": {},
    "text": "…",
}


def _example_object(field_infos: tuple[FieldInfo, ...]) -> dict[str, Any]:
    return {info.name: _example(info) for info in field_infos if info.required}


def _example(info: FieldInfo) -> Any:
    if info.choices:
        return info.choices[0]
    if info.type.startswith("list of"):
        item = FieldInfo(info.name, info.type.removeprefix("list of "), True, "",
                         fields=info.fields)
        return [_example(item)]
    if info.type == "object" and info.fields:
        return _example_object(info.fields)
    for prefix, value in _PLACEHOLDERS.items():
        if info.type.startswith(prefix):
            return value
    return "…"
