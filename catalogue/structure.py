"""The plan's structure and who may act: themes, topics, units, roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.base import DomainEvent, event_type
from catalogue.streams import actor_stream, theme_stream, topic_stream, unit_stream

UNIT_KINDS = ("bcu", "taskforce", "command", "programme", "partner", "team")
ROLES = ("admin", "performance", "recorder", "auditor")


@event_type("ThemeDefined", "catalogue.schemas.structure:ThemeDefinedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeDefined(DomainEvent):
    """A numbered section of the plan, e.g. 2 — Tackling serious violence."""

    number: int
    title: str

    @property
    def stream_id(self) -> str:
        return theme_stream(self.number)

    def summary(self) -> str:
        return f"theme {self.number}: {self.title}"


@event_type("TopicDefined", "catalogue.schemas.structure:TopicDefinedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class TopicDefined(DomainEvent):
    """A sub-section under a theme, e.g. Violent crime; topics keep their definition order.

    A `lead_in` topic holds what a theme says before its first sub-section: a report
    prints its items straight under the theme heading, without the topic's title.
    """

    topic_id: str
    theme: int
    title: str
    lead_in: bool = False

    @property
    def stream_id(self) -> str:
        return topic_stream(self.topic_id)

    def summary(self) -> str:
        return f"topic {self.topic_id} under theme {self.theme}: {self.title}"


@event_type("UnitRegistered", "catalogue.schemas.structure:UnitRegisteredSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class UnitRegistered(DomainEvent):
    """Who acts: a BCU (with its boroughs), a taskforce, a command, a programme, a partner."""

    unit_id: str
    name: str
    kind: str
    boroughs: list[str] = field(default_factory=list)
    parent_unit: str | None = None

    @property
    def stream_id(self) -> str:
        return unit_stream(self.unit_id)

    def summary(self) -> str:
        boroughs = f" ({', '.join(self.boroughs)})" if self.boroughs else ""
        return f"{self.kind} {self.name}{boroughs}"


@event_type("RoleGranted", "catalogue.schemas.structure:RoleGrantedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class RoleGranted(DomainEvent):
    """An actor may now act in a role, for a unit where the role is unit-bound."""

    actor: str
    role: str
    unit_id: str | None = None

    @property
    def stream_id(self) -> str:
        return actor_stream(self.actor)

    def summary(self) -> str:
        where = f" for {self.unit_id}" if self.unit_id else ""
        return f"{self.actor} is {self.role}{where}"


@event_type("RoleRevoked", "catalogue.schemas.structure:RoleRevokedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class RoleRevoked(DomainEvent):
    """From this event's position on, the actor no longer holds the role."""

    actor: str
    role: str
    unit_id: str | None = None

    @property
    def stream_id(self) -> str:
        return actor_stream(self.actor)

    def summary(self) -> str:
        where = f" for {self.unit_id}" if self.unit_id else ""
        return f"{self.actor} is no longer {self.role}{where}"
