"""Status scales: the statuses a plan reports milestones in, as data.

Forces report progress on different scales (the Met's ✓ delivered / on track / some delay,
Dorset's Blue/Green/Yellow/Red, Thames Valley's Red/Amber/Green …). A scale names each
status with a label, a symbol (one of `SYMBOLS`, drawn as inline SVG), a colour and one
fixed category, which is all the rules and counts rely on: a milestone is delivered when
its status's category is `done`, whatever the scale calls it. A plan adopts a scale from
a quarter on; a quarter with no adoption in force uses `DEFAULT_SCALE`, the Met's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from catalogue.base import DomainEvent, EventSchema, event_type
from catalogue.fields import QuarterField, identifier, title
from catalogue.periods import Quarter
from catalogue.streams import scale_stream, scales_adoption_stream

DONE = "done"
IN_PROGRESS = "in_progress"
AT_RISK = "at_risk"
NOT_STARTED = "not_started"
WITHDRAWN = "withdrawn"
CATEGORIES = (DONE, IN_PROGRESS, AT_RISK, NOT_STARTED, WITHDRAWN)
"""The fixed categories every scale's statuses fall in."""

SYMBOLS = ("tick", "calendar", "wrench", "circle", "square", "triangle", "diamond",
           "cross", "star", "flag", "dash")
"""The shapes a status may be drawn with (`projections.render.symbols` draws each)."""

STATUS_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                            error="must be a lowercase status id (letters, digits, _)")
COLOUR = validate.Regexp(r"^#[0-9a-f]{6}$", error="must be a colour like #1b7837")


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusDef:
    """One status of a scale: ``blue``, labelled "Blue", a circle in #1f78b4, done."""

    status: str
    label: str
    symbol: str
    colour: str
    category: str


@dataclass(frozen=True, slots=True)
class StatusScale:
    """A named, ordered list of statuses."""

    scale_id: str
    name: str
    statuses: tuple[StatusDef, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(status.status for status in self.statuses)

    def find(self, status: str) -> StatusDef | None:
        return next((known for known in self.statuses if known.status == status), None)


DEFAULT_SCALE = StatusScale("default", "Metropolitan Police Service", (
    StatusDef(status="delivered", label="delivered", symbol="tick", colour="#1b7837",
              category=DONE),
    StatusDef(status="on_track", label="on track", symbol="calendar", colour="#2166ac",
              category=IN_PROGRESS),
    StatusDef(status="some_delay", label="some delay", symbol="wrench", colour="#b35806",
              category=AT_RISK),
))
"""The scale of the Met's published updates, in force until a plan adopts another."""


def scale_in_force(adoptions: Iterable[tuple[Quarter, int, str]],
                   scales: Mapping[str, StatusScale], quarter: Quarter) -> StatusScale:
    """The scale for `quarter`: that of the adoption from the latest quarter not after it
    (the later recorded, by position, when two name the same quarter); else the default."""
    applying = [(start, position, scale_id) for start, position, scale_id in adoptions
                if start <= quarter and scale_id in scales]
    if not applying:
        return DEFAULT_SCALE
    return scales[max(applying)[2]]


def status_def(scale: StatusScale, status: str) -> StatusDef:
    """The status as `scale` defines it, else as the default scale does, else a plain one."""
    found = scale.find(status) or DEFAULT_SCALE.find(status)
    if found is not None:
        return found
    return StatusDef(status=status, label=status.replace("_", " "), symbol="dash",
                     colour="#595959", category=IN_PROGRESS)


class _StatusDefSchema(Schema):
    class Meta:
        ordered = True

    status = fields.String(required=True, validate=STATUS_ID)
    label = title(required=True)
    symbol = fields.String(required=True, validate=validate.OneOf(SYMBOLS))
    colour = fields.String(required=True, validate=COLOUR)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))

    @post_load
    def _build(self, data: dict[str, str], **kwargs: object) -> StatusDef:
        return StatusDef(**data)


def status_list(**kwargs: Any) -> fields.List[Any]:
    """A scale's statuses: 1 to 12 (each id once: `check_distinct`)."""
    return fields.List(fields.Nested(_StatusDefSchema), validate=validate.Length(min=1, max=12),
                       **kwargs)


def check_distinct(statuses: Iterable[StatusDef], field: str = "statuses") -> None:
    seen: set[str] = set()
    for status in statuses:
        if status.status in seen:
            raise ValidationError(f"status {status.status!r} is listed twice", field)
        seen.add(status.status)


class StatusScaleDefinedSchema(EventSchema):
    scale_id = identifier(required=True)
    name = title(required=True)
    statuses = status_list(required=True)

    @validates_schema
    def _distinct(self, data: dict[str, object], **kwargs: object) -> None:
        check_distinct(data.get("statuses", ()))  # type: ignore[arg-type]


@event_type("StatusScaleDefined", StatusScaleDefinedSchema)
@dataclass(frozen=True, slots=True, kw_only=True)
class StatusScaleDefined(DomainEvent):
    """A scale of statuses a plan may report its milestones in."""

    scale_id: str
    name: str
    statuses: tuple[StatusDef, ...] | list[StatusDef]

    @property
    def stream_id(self) -> str:
        return scale_stream(self.scale_id)

    @property
    def scale(self) -> StatusScale:
        return StatusScale(self.scale_id, self.name, tuple(self.statuses))

    def summary(self) -> str:
        labels = ", ".join(status.label for status in self.statuses)
        return f"status scale {self.scale_id} ({self.name}): {labels}"


class StatusScaleAdoptedSchema(EventSchema):
    scale_id = identifier(required=True)
    from_quarter = QuarterField(required=True)


@event_type("StatusScaleAdopted", StatusScaleAdoptedSchema)
@dataclass(frozen=True, slots=True, kw_only=True)
class StatusScaleAdopted(DomainEvent):
    """The plan reports on this scale from a quarter on."""

    scale_id: str
    from_quarter: Quarter

    @property
    def stream_id(self) -> str:
        return scales_adoption_stream()

    def summary(self) -> str:
        return f"status scale {self.scale_id} in force from {self.from_quarter}"
