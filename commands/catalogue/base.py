"""The catalogue's machinery: typed events, their payload schemas, versions and upcasters.

Every event type registers once with a stable name, its current schema version and a
marshmallow schema. Stored payloads of older versions are upcast step by step
(``upcast_v1_v2``, ``upcast_v2_v3`` …) before they are loaded, so readers only ever see
the current shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, post_load
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from commands.catalogue.fields import PeriodField, QuarterField
from eventstore import NewEvent, RecordedEvent

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UnknownEventType(LookupError):
    """A stored event whose type this code does not know."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    """Base of every event in the catalogue: past-tense, immutable, one stream each."""

    type_name: ClassVar[str]
    schema_version: ClassVar[int]

    @property
    def stream_id(self) -> str:
        raise NotImplementedError

    @property
    def occurred_at(self) -> datetime | None:
        """When it happened in the world, if the event says; else when it was recorded."""
        return None

    def summary(self) -> str:
        """One line for logs and history views."""
        return self.type_name


class EventSchema(Schema):
    """A payload schema that builds its event class on load and refuses unknown keys."""

    event_class: ClassVar[type[DomainEvent]]

    class Meta:
        unknown = RAISE
        ordered = True

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> DomainEvent:
        return self.event_class(**data)


E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True, slots=True)
class EventSpec:
    event_class: type[DomainEvent]
    schema: EventSchema
    upcasters: Mapping[int, Upcaster] = field(default_factory=dict)
    fast_load: Callable[[Mapping[str, Any]], Any] | None = None
    """The schema's load compiled for speed; it declines (and `schema.load` decides) on
    anything it is not sure of, so results and errors are marshmallow's own."""


CATALOGUE: dict[str, EventSpec] = {}


def event_type(
    name: str,
    schema: type[EventSchema],
    version: int = 1,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> Callable[[type[E]], type[E]]:
    """Register an event class under `name` at schema `version`.

    `upcasters[n]` turns a version-n payload into version n+1.
    """

    def register(cls: type[E]) -> type[E]:
        if name in CATALOGUE:
            raise ValueError(f"event type {name!r} registered twice")
        cls.type_name = name
        cls.schema_version = version
        schema.event_class = cls
        missing = [n for n in range(1, version) if n not in (upcasters or {})]
        if missing:
            raise ValueError(f"{name}: no upcaster from version(s) {missing}")
        instance = schema()
        CATALOGUE[name] = EventSpec(
            cls, instance, dict(upcasters or {}), compile_loader(instance, unknown=EXCLUDE)
        )
        return cls

    return register


# -- the fast load path ------------------------------------------------------------------
#
# `Schema.load` spends most of its time on bookkeeping that a well-formed stored payload
# never needs. `compile_loader` turns a schema into straight-line conversions of the field
# types the catalogue uses, with the same type checks, validators and hooks; it returns
# None (decline) on anything else, and `decode` then asks marshmallow, so a payload loads
# to the same event, or fails with the same error, on either path.


_PURE_FIELDS: tuple[type[fields.Field[Any]], ...] = (QuarterField, PeriodField)
"""Custom fields whose result depends only on the stored text, so it can be remembered."""


class _Decline(Exception):
    """The fast path is not sure: let marshmallow decide."""


Convert = Callable[[Any], Any]
FastLoad = Callable[[Mapping[str, Any]], Any]
_CACHE_LIMIT = 4_096


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise _Decline
    return value


def _integer(value: Any) -> Any:
    if type(value) is not int:
        raise _Decline
    return value


def _decimal(value: Any) -> Decimal:
    if type(value) is not str and type(value) is not int:
        raise _Decline
    number = Decimal(str(value))
    if not number.is_finite():
        raise _Decline
    return number


def _uuid(value: Any) -> uuid.UUID:
    if type(value) is not str:
        raise _Decline
    return uuid.UUID(value)


def _cached(convert: Convert) -> Convert:
    """Remember conversions of immutable results (dates, quarters, period names)."""
    cache: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        if type(value) is not str:
            raise _Decline
        try:
            return cache[value]
        except KeyError:
            result = convert(value)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[value] = result
            return result

    return run


def _per_field(field_: fields.Field[Any], name: str) -> Convert:
    """marshmallow's own conversion of one field (custom field types)."""

    def run(value: Any) -> Any:
        try:
            return field_.deserialize(value, name, None)
        except ValidationError as error:
            raise _Decline from error

    return run


def _converter(field_: fields.Field[Any], name: str) -> Convert:
    kind = type(field_)
    if field_.pre_load:
        return _per_field(field_, name)
    if kind is fields.String:
        convert: Convert = _string
    elif kind is fields.Integer:
        convert = _integer
    elif kind is fields.Date and field_.format in (None, "iso", "iso8601"):  # type: ignore[attr-defined]
        convert = _cached(date.fromisoformat)
    elif kind is fields.Decimal and field_.places is None:  # type: ignore[attr-defined]
        convert = _decimal
    elif kind is fields.UUID:
        convert = _uuid
    elif kind is fields.Raw:
        convert = _identity
    elif kind is fields.Dict and field_.value_field is None:  # type: ignore[attr-defined]
        convert = _mapping(_converter(field_.key_field, name) if field_.key_field  # type: ignore[attr-defined]
                           else _identity)
    elif kind is fields.List:
        convert = _sequence(field_.inner, name)  # type: ignore[attr-defined]
    elif kind is fields.Nested and not field_.many:  # type: ignore[attr-defined]
        nested = compile_loader(field_.schema)  # type: ignore[attr-defined]
        convert = _nested(nested) if nested is not None else _per_field(field_, name)
    elif kind in _PURE_FIELDS:
        return _cached(_per_field(field_, name))
    else:
        return _per_field(field_, name)
    return _validated(convert, field_)


def _identity(value: Any) -> Any:
    return value


def _validated(convert: Convert, field_: fields.Field[Any]) -> Convert:
    validators = tuple(field_.validators)
    allow_none = field_.allow_none

    def run(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise _Decline
        result = convert(value)
        for validator in validators:
            try:
                validator(result)
            except ValidationError as error:
                raise _Decline from error
        return result

    return run if validators or not allow_none else _none_or(convert)


def _none_or(convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        return None if value is None else convert(value)

    return run


def _mapping(key: Convert) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not dict:
            raise _Decline
        return {key(name): item for name, item in value.items()}

    return run


def _sequence(inner: fields.Field[Any], name: str) -> Convert:
    item = _converter(inner, name)

    def run(value: Any) -> Any:
        if type(value) is not list:
            raise _Decline
        return [item(each) for each in value]

    return run


def _nested(load: FastLoad) -> Convert:
    def run(value: Any) -> Any:
        if type(value) is not dict:
            raise _Decline
        result = load(value)
        if result is None:
            raise _Decline
        return result

    return run


def compile_loader(schema: Schema, unknown: str | None = None) -> FastLoad | None:
    """A fast `schema.load` for stored payloads, or None when the schema needs marshmallow.

    The loader returns the loaded object, or None to decline.
    """
    hooks = schema._hooks  # read once, to refuse what the fast path cannot run
    if hooks[PRE_LOAD] or hooks[VALIDATES] or schema.partial or schema.many:
        return None
    if any(many or kw.get("pass_original") for _, many, kw in hooks[VALIDATES_SCHEMA]):
        return None
    if any(many or kw.get("pass_original") for _, many, kw in hooks[POST_LOAD]):
        return None
    mode = unknown or schema.unknown
    plan = []
    for name, field_ in schema.load_fields.items():
        default = field_.load_default
        plan.append((field_.data_key or name, field_.attribute or name, _converter(field_, name),
                     field_.required, default, callable(default)))
    known = frozenset(key for key, *_ in plan)
    validators = [getattr(schema, name) for name, _, _ in hooks[VALIDATES_SCHEMA]]
    processors = [getattr(schema, name) for name, _, _ in hooks[POST_LOAD]]

    def load(payload: Mapping[str, Any]) -> Any:
        if mode != EXCLUDE and not known.issuperset(payload):
            return None
        data: dict[str, Any] = {}
        try:
            for key, attribute, convert, required, default, call in plan:
                if key in payload:
                    data[attribute] = convert(payload[key])
                elif required:
                    return None
                elif default is not missing:
                    data[attribute] = default() if call else default
            for validator in validators:
                validator(data, partial=None, many=False, unknown=mode)
            result: Any = data
            for processor in processors:
                result = processor(result, many=False, partial=None, unknown=mode)
        except (_Decline, ValidationError, ValueError, TypeError, ArithmeticError):
            return None
        return result

    return load


def spec_for(type_name: str) -> EventSpec:
    try:
        return CATALOGUE[type_name]
    except KeyError:
        raise UnknownEventType(f"unknown event type {type_name!r}") from None


def encode(event: DomainEvent) -> Payload:
    """The event's JSON payload at its current schema version."""
    payload: Payload = spec_for(event.type_name).schema.dump(event)
    return payload


def upcast(type_name: str, version: int, payload: Payload) -> Payload:
    """Bring a stored payload of `version` up to the current version."""
    spec = spec_for(type_name)
    current = spec.event_class.schema_version
    if version > current:
        raise UnknownEventType(
            f"{type_name} version {version} is newer than this code knows ({current})"
        )
    for step in range(version, current):
        payload = spec.upcasters[step](dict(payload))
    return payload


def decode(type_name: str, version: int, payload: Mapping[str, Any]) -> DomainEvent:
    """Turn a stored payload (of any known version) into its typed event."""
    spec = spec_for(type_name)
    current = payload if version == spec.event_class.schema_version else upcast(
        type_name, version, dict(payload)
    )
    if spec.fast_load is not None:
        loaded = spec.fast_load(current)
        if loaded is not None:
            fast: DomainEvent = loaded
            return fast
    try:
        event: DomainEvent = spec.schema.load(dict(current), unknown=EXCLUDE)
    except ValidationError as error:
        raise UnknownEventType(f"{type_name} payload does not load: {error.messages}") from error
    return event


def load(event_class: type[E], payload: Mapping[str, Any]) -> E:
    """Validate a payload as `event_class` (raises marshmallow's ValidationError)."""
    event = spec_for(event_class.type_name).schema.load(dict(payload))
    assert isinstance(event, event_class)
    return event


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """Who recorded an event and why; the same for every event of one command."""

    actor: str
    unit: str | None
    command_id: str
    command_type: str
    correlation_id: str
    causation_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "unit": self.unit,
            "command_id": self.command_id,
            "command_type": self.command_type,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metadata:
        return cls(
            actor=str(data.get("actor", "")),
            unit=data.get("unit"),
            command_id=str(data.get("command_id", "")),
            command_type=str(data.get("command_type", "")),
            correlation_id=str(data.get("correlation_id", "")),
            causation_id=str(data.get("causation_id", "")),
        )


def to_new_event(event: DomainEvent, metadata: Metadata,
                 event_id: uuid.UUID | None = None) -> NewEvent:
    """The store's form of a typed event."""
    return NewEvent(
        type=event.type_name,
        data=encode(event),
        metadata=metadata.as_dict(),
        occurred_at=event.occurred_at,
        event_id=event_id,
        schema_version=event.schema_version,
    )


@dataclass(frozen=True, slots=True)
class Recorded(Generic[E]):
    """A typed event with the envelope facts that readers need to trace it."""

    event: E
    position: int
    event_id: uuid.UUID
    stream_id: str
    version: int
    occurred_at: datetime
    recorded_at: datetime
    metadata: Metadata


def from_recorded(recorded: RecordedEvent) -> Recorded[DomainEvent]:
    """Decode a stored event (upcasting old payloads) with its envelope."""
    return Recorded(
        event=decode(recorded.type, recorded.schema_version, recorded.data),
        position=recorded.position,
        event_id=recorded.event_id,
        stream_id=recorded.stream_id,
        version=recorded.version,
        occurred_at=recorded.occurred_at,
        recorded_at=recorded.recorded_at,
        metadata=Metadata.from_dict(recorded.metadata),
    )
