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

from catalogue.base import DomainEvent, event_type
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


@event_type("StatusScaleDefined", "catalogue.schemas.scales:StatusScaleDefinedSchema")
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


@event_type("StatusScaleAdopted", "catalogue.schemas.scales:StatusScaleAdoptedSchema")
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
