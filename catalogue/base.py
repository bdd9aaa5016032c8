"""The catalogue's machinery: typed events, their payload schemas, versions and upcasters.

Every event type registers once with a stable name, its current schema version and a
marshmallow schema. Stored payloads of older versions are upcast step by step
(``upcast_v1_v2``, ``upcast_v2_v3`` …) before they are loaded, so readers only ever see
the current shape.

An event type names its schema as ``module:class`` (in `catalogue.schemas`), which is
imported, built and compiled on the first encode or decode of that type: a reader that
only needs names, versions and event classes (``opslog status`` reading its read models)
does not wait for marshmallow and every type's schema.
"""

from __future__ import annotations

import importlib
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from eventstore import NewEvent, RecordedEvent

if TYPE_CHECKING:
    from catalogue.schemas.base import EventSchema

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


E = TypeVar("E", bound=DomainEvent)
FastLoad = Callable[[Mapping[str, Any]], Any]
_BUILDING = threading.RLock()


class EventSpec:
    """An event type as registered: its class and upcasters now, its schema on first use."""

    __slots__ = ("_built", "event_class", "schema_path", "upcasters")

    def __init__(self, event_class: type[DomainEvent], schema_path: str,
                 upcasters: Mapping[int, Upcaster]) -> None:
        self.event_class = event_class
        self.schema_path = schema_path
        """``module:class`` of the payload schema."""
        self.upcasters = upcasters
        self._built: tuple[EventSchema, FastLoad | None] | None = None

    @property
    def schema(self) -> EventSchema:
        """The marshmallow schema of the current payload version."""
        return self._build()[0]

    @property
    def fast_load(self) -> FastLoad | None:
        """The schema's load compiled for speed; it declines (and `schema.load` decides) on
        anything it is not sure of, so results and errors are marshmallow's own."""
        return self._build()[1]

    def _build(self) -> tuple[EventSchema, FastLoad | None]:
        built = self._built
        if built is None:
            with _BUILDING:
                built = self._built
                if built is None:
                    built = self._built = _schema_of(self.event_class, self.schema_path)
        return built


def _schema_of(event_class: type[DomainEvent],
               schema_path: str) -> tuple[EventSchema, FastLoad | None]:
    """Import the schema class `schema_path` names, bind it to `event_class`, compile it."""
    from marshmallow import EXCLUDE

    from catalogue.fastload import compile_loader

    module, _, name = schema_path.partition(":")
    schema_class: type[EventSchema] = getattr(importlib.import_module(module), name)
    schema_class.event_class = event_class
    instance = schema_class()
    return instance, compile_loader(instance, unknown=EXCLUDE)


CATALOGUE: dict[str, EventSpec] = {}


def event_type(
    name: str,
    schema: str,
    version: int = 1,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> Callable[[type[E]], type[E]]:
    """Register an event class under `name` at schema `version`, its payload schema named
    ``module:class`` (imported on first use).

    `upcasters[n]` turns a version-n payload into version n+1.
    """

    def register(cls: type[E]) -> type[E]:
        if name in CATALOGUE:
            raise ValueError(f"event type {name!r} registered twice")
        cls.type_name = name
        cls.schema_version = version
        missing = [n for n in range(1, version) if n not in (upcasters or {})]
        if missing:
            raise ValueError(f"{name}: no upcaster from version(s) {missing}")
        CATALOGUE[name] = EventSpec(cls, schema, dict(upcasters or {}))
        return cls

    return register


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
    from marshmallow import EXCLUDE, ValidationError

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
    channel: Mapping[str, Any] | None = None
    """How it reached the log (`catalogue.channel`); None only in events written before
    channels were recorded."""
    reported_on: date | None = None
    """When the command's source (a return, a publication) reported it, when that is not
    the day it is recorded (`catalogue.reported`); None: reported as recorded."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "actor": self.actor,
            "unit": self.unit,
            "command_id": self.command_id,
            "command_type": self.command_type,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
        }
        if self.channel is not None:
            data["channel"] = dict(self.channel)
        if self.reported_on is not None:
            data["reported_on"] = self.reported_on.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metadata:
        return cls(
            actor=str(data.get("actor", "")),
            unit=data.get("unit"),
            command_id=str(data.get("command_id", "")),
            command_type=str(data.get("command_type", "")),
            correlation_id=str(data.get("correlation_id", "")),
            causation_id=str(data.get("causation_id", "")),
            channel=channel if isinstance(channel := data.get("channel"), Mapping) else None,
            reported_on=_date_or_none(data.get("reported_on")),
        )


def _date_or_none(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


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
