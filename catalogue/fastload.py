"""A fast path for loading stored payloads: each schema compiled to one Python function.

`Schema.load` spends most of its time on bookkeeping that a well-formed stored payload
never needs. `compile_loader` writes, for each schema, a function that does the same type
checks, validators and hooks in straight-line code. Whenever it is not sure — a type it
does not know, a failed check, a hook it cannot run — it returns None, and the caller asks
marshmallow, so a payload loads to the same event, or fails with the same error, either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from catalogue.fields import PeriodField, PreciseDateField, QuarterField

Convert = Callable[[Any], Any]
FastLoad = Callable[[Mapping[str, Any]], Any]
CACHE_LIMIT = 4_096

PURE_FIELDS: tuple[type[fields.Field[Any]], ...] = (QuarterField, PeriodField, PreciseDateField)
"""Custom fields whose result depends only on the stored text, so it can be remembered."""


class Decline(Exception):
    """The fast path is not sure: let marshmallow decide."""


# -- conversions used inside lists and nested objects ---------------------------------


def _decimal(value: Any) -> Decimal:
    if type(value) is not str and type(value) is not int:
        raise Decline
    number = Decimal(str(value))
    if not number.is_finite():
        raise Decline
    return number


def _uuid(value: Any) -> uuid.UUID:
    if type(value) is not str:
        raise Decline
    return uuid.UUID(value)


def _cached(convert: Convert) -> Convert:
    """Remember conversions of strings to immutable results (dates, quarters, periods)."""
    cache: dict[str, Any] = {}

    def run(value: Any) -> Any:
        if type(value) is not str:
            raise Decline
        found = cache.get(value, missing)
        if found is missing:
            found = convert(value)
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[value] = found
        return found

    return run


def _per_field(field_: fields.Field[Any], name: str) -> Convert:
    """marshmallow's own conversion of one field (custom field types)."""

    def run(value: Any) -> Any:
        try:
            return field_.deserialize(value, name, None)
        except ValidationError as error:
            raise Decline from error

    return run


def _typed(kind: type) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not kind:
            raise Decline
        return value

    return run


def _converter(field_: fields.Field[Any], name: str) -> Convert:
    """A conversion with the field's null rule and validators, raising on doubt."""
    kind = type(field_)
    if field_.pre_load:
        return _per_field(field_, name)
    if kind is fields.String:
        convert: Convert = _typed(str)
    elif kind is fields.Integer:
        convert = _typed(int)
    elif kind is fields.Date and field_.format in (None, "iso", "iso8601"):  # type: ignore[attr-defined]
        convert = _cached(date.fromisoformat)
    elif kind is fields.Decimal and field_.places is None:  # type: ignore[attr-defined]
        convert = _decimal
    elif kind is fields.UUID:
        convert = _uuid
    elif kind is fields.Raw:
        convert = _identity
    elif kind is fields.Dict and field_.value_field is None:  # type: ignore[attr-defined]
        key_field = field_.key_field  # type: ignore[attr-defined]
        convert = _mapping(_converter(key_field, name) if key_field else _identity)
    elif kind is fields.List:
        convert = _sequence(_converter(field_.inner, name))  # type: ignore[attr-defined]
    elif kind is fields.Nested and not field_.many:  # type: ignore[attr-defined]
        nested = compile_loader(field_.schema)  # type: ignore[attr-defined]
        convert = _nested(nested) if nested is not None else _per_field(field_, name)
    elif kind in PURE_FIELDS:
        return _cached(_per_field(field_, name))
    else:
        return _per_field(field_, name)
    validators = tuple(field_.validators)
    allow_none = field_.allow_none

    def run(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Decline
        result = convert(value)
        for check in validators:
            check(result)
        return result

    return run


def _identity(value: Any) -> Any:
    return value


def _mapping(key: Convert) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not dict:
            raise Decline
        return {key(name): item for name, item in value.items()}

    return run


def _sequence(item: Convert) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not list:
            raise Decline
        return [item(each) for each in value]

    return run


def _nested(load: FastLoad) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not dict:
            raise Decline
        result = load(value)
        if result is None:
            raise Decline
        return result

    return run


# -- compiling a schema ----------------------------------------------------------------


class _Source:
    """The generated function's lines, and the objects they refer to by name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"missing": missing, "Decline": Decline,
                                      "ValidationError": ValidationError}

    def name(self, value: Any) -> str:
        label = f"_{len(self.names)}"
        self.names[label] = value
        return label

    def add(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


INLINE_TYPES: dict[type[fields.Field[Any]], type] = {fields.String: str, fields.Integer: int}


def _inline_checks(source: _Source, depth: int, field_: fields.Field[Any]) -> None:
    """The field's validators as statements on ``v`` (a failing one returns None)."""
    for check in field_.validators:
        kind = type(check)
        if kind is validate.Regexp:
            source.add(depth, f"if {source.name(check.regex.match)}(v) is None: return None")  # type: ignore[attr-defined]
        elif kind is validate.Length and isinstance(check, validate.Length):
            tests = []
            if check.equal is not None:
                tests.append(f"len(v) != {check.equal!r}")
            if check.min is not None:
                tests.append(f"len(v) < {check.min!r}")
            if check.max is not None:
                tests.append(f"len(v) > {check.max!r}")
            if tests:
                source.add(depth, f"if {' or '.join(tests)}: return None")
        elif kind is validate.OneOf and isinstance(check, validate.OneOf):
            source.add(depth, f"if v not in {source.name(check.choices)}: return None")
        elif kind is validate.Range and isinstance(check, validate.Range):
            if check.min is not None:
                low = source.name(check.min)
                source.add(depth, f"if v {'<' if check.min_inclusive else '<='} {low}: "
                           "return None")
            if check.max is not None:
                high = source.name(check.max)
                source.add(depth, f"if v {'>' if check.max_inclusive else '>='} {high}: "
                           "return None")
        else:
            source.add(depth, f"{source.name(check)}(v)")


def _field(source: _Source, field_: fields.Field[Any], name: str) -> None:
    key = field_.data_key or name
    attribute = field_.attribute or name
    source.add(1, f"v = payload.get({key!r}, missing)")
    source.add(1, "if v is missing:")
    default = field_.load_default
    if field_.required:
        source.add(2, "return None")
    elif default is missing:
        source.add(2, "pass")
    else:
        call = "()" if callable(default) else ""
        source.add(2, f"data[{attribute!r}] = {source.name(default)}{call}")
    kind = INLINE_TYPES.get(type(field_)) if not field_.pre_load else None
    if kind is None:
        source.add(1, "else:")
        source.add(2, f"data[{attribute!r}] = {source.name(_converter(field_, name))}(v)")
        return
    source.add(1, "elif v is None:")
    source.add(2, f"data[{attribute!r}] = None" if field_.allow_none else "return None")
    source.add(1, "else:")
    source.add(2, f"if type(v) is not {source.name(kind)}: return None")
    _inline_checks(source, 2, field_)
    source.add(2, f"data[{attribute!r}] = v")


def compile_loader(schema: Schema, unknown: str | None = None) -> FastLoad | None:
    """A fast `schema.load` for stored payloads, or None when the schema needs marshmallow.

    The function returns the loaded object, or None to decline.
    """
    hooks = schema._hooks  # read once, to refuse what the fast path cannot run
    if hooks[PRE_LOAD] or hooks[VALIDATES] or schema.partial or schema.many:
        return None
    if any(many or kw.get("pass_original") for _, many, kw in hooks[VALIDATES_SCHEMA]):
        return None
    if any(many or kw.get("pass_original") for _, many, kw in hooks[POST_LOAD]):
        return None
    mode = unknown or schema.unknown
    source = _Source()
    source.add(0, "def load(payload):")
    if mode != EXCLUDE:
        known = frozenset(field_.data_key or name for name, field_ in schema.load_fields.items())
        source.add(1, f"if not {source.name(known)}.issuperset(payload): return None")
    source.add(1, "data = {}")
    source.add(1, "try:")
    start = len(source.lines)
    for name, field_ in schema.load_fields.items():
        _field(source, field_, name)
    for hook, _, _ in hooks[VALIDATES_SCHEMA]:
        source.add(1, f"{source.name(getattr(schema, hook))}(data, partial=None, many=False, "
                   f"unknown={mode!r})")
    source.add(1, "result = data")
    for hook, _, _ in hooks[POST_LOAD]:
        source.add(1, f"result = {source.name(getattr(schema, hook))}(result, many=False, "
                   f"partial=None, unknown={mode!r})")
    source.lines[start:] = ["    " + line for line in source.lines[start:]]
    source.add(1, "except (Decline, ValidationError, ValueError, TypeError, ArithmeticError):")
    source.add(2, "return None")
    source.add(1, "return result")
    namespace = dict(source.names)
    exec(compile("\n".join(source.lines), f"<fast load of {type(schema).__name__}>", "exec"),
         namespace)
    loader: FastLoad = namespace["load"]
    return loader
