"""The write model: just what the rules need to know about the log.

It is a fold of every event (see `commands.write_model.evolve`), held in plain dicts, or,
when a service starts from a checkpoint, in maps that read from the checkpoint only the
entries a command looks up (`write_model.entities`). Facts that other streams
depend on only ever grow (themes, topics, units, indicators and roles are never
retracted), so a model that is a little behind can refuse a command wrongly but never
accept one wrongly; what can shrink lives on the stream a command writes to, and the
append's expected version guards it.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping, MutableSet
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalogue.base import DomainEvent
from catalogue.periods import Quarter
from catalogue.scales import DONE, StatusScale, scale_in_force
from catalogue.updates import AssetAcquired, RolloutCompleted


@dataclass(slots=True)
class TopicState:
    topic_id: str
    theme: int
    title: str


@dataclass(slots=True)
class UnitState:
    unit_id: str
    name: str
    kind: str
    boroughs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Role:
    """A role an actor holds, for a unit where the role is unit-bound."""

    role: str
    unit_id: str | None = None

    def __str__(self) -> str:
        return f"{self.role} for {self.unit_id}" if self.unit_id else self.role


@dataclass(slots=True)
class ProgressState:
    quarter: Quarter
    status: str
    as_of: date
    category: str = ""
    """The status's category on the scale in force for `quarter` when it was reported."""


@dataclass(slots=True)
class MilestoneState:
    """A milestone and what still counts of its history (retracted entries are removed)."""

    milestone_id: str
    title: str
    topic_id: str
    owner_unit: str
    scheduled_due: Quarter
    reports: dict[uuid.UUID, ProgressState] = field(default_factory=dict)
    reschedules: dict[uuid.UUID, Quarter] = field(default_factory=dict)
    withdrawals: set[uuid.UUID] = field(default_factory=set)

    @property
    def due_quarter(self) -> Quarter:
        return list(self.reschedules.values())[-1] if self.reschedules else self.scheduled_due

    @property
    def withdrawn(self) -> bool:
        return bool(self.withdrawals)

    @property
    def delivered_in(self) -> Quarter | None:
        """The quarter of the report that says delivered, if one still counts."""
        for report in self.reports.values():
            if report.category == DONE:
                return report.quarter
        return None


@dataclass(slots=True)
class FormationState:
    """The formation of a taskforce that still counts: a second one is refused."""

    event_id: uuid.UUID
    update_id: str
    effective_date: date


ONE_OFFS: dict[type[DomainEvent], tuple[str, str]] = {
    AssetAcquired: ("asset", "acquired"),
    RolloutCompleted: ("system", "rolled out"),
}
"""Updates that happen once to what they name (the field naming it, and what happened):
an asset is acquired once, a system's rollout completes once."""


def one_off_key(event: DomainEvent) -> tuple[str, str] | None:
    """What a one-off update is about: its type and the name it gives."""
    found = ONE_OFFS.get(type(event))
    return None if found is None else named_key(type(event), str(getattr(event, found[0])))


def named_key(event_class: type[DomainEvent], name: str) -> tuple[str, str]:
    """A one-off's key: the same name in any case or spacing is the same thing."""
    return event_class.type_name, " ".join(name.split()).casefold()


@dataclass(slots=True)
class OneOffState:
    """A one-off update that still counts: another of the same is refused."""

    event_id: uuid.UUID
    update_id: str
    effective_date: date
    event_class: type[DomainEvent]


@dataclass(slots=True)
class ValueState:
    value: Decimal
    source: str
    released_on: date


@dataclass(slots=True)
class IndicatorState:
    """An indicator and its values that still count, per period, in the order recorded."""

    indicator_id: str
    name: str
    values: dict[str, dict[uuid.UUID, ValueState]] = field(default_factory=dict)
    periods_by_event: dict[uuid.UUID, str] = field(default_factory=dict)

    def current(self, period: str) -> ValueState | None:
        """The latest value recorded for `period` that still counts (restatements win)."""
        recorded = self.values.get(period)
        return list(recorded.values())[-1] if recorded else None


@dataclass(frozen=True, slots=True)
class EventRef:
    """Where a recorded event lives, so a correction can find it by id."""

    event_id: uuid.UUID
    stream_id: str
    event_class: type[DomainEvent]
    position: int
    key: str
    """The id of what the event is about: a theme number, unit, milestone, update …"""


@dataclass(frozen=True, slots=True)
class CommitRef:
    """What one command recorded: enough to answer a retry with the first result."""

    command_id: str
    command_type: str
    command_hash: str
    first_position: int
    last_position: int
    event_types: tuple[str, ...]


@dataclass(slots=True)
class State:
    """Everything the rules consult, as of `position` in the log."""

    position: int = 0
    versions: MutableMapping[str, int] = field(default_factory=dict)
    themes: MutableMapping[int, str] = field(default_factory=dict)
    topics: MutableMapping[str, TopicState] = field(default_factory=dict)
    units: MutableMapping[str, UnitState] = field(default_factory=dict)
    roles: MutableMapping[str, set[Role]] = field(default_factory=dict)
    milestones: MutableMapping[str, MilestoneState] = field(default_factory=dict)
    updates: MutableMapping[str, str] = field(default_factory=dict)
    """update id → the unit that recorded it."""
    live_units: MutableMapping[str, uuid.UUID] = field(default_factory=dict)
    """unit id → the UnitWentLive event that still counts."""
    taskforces: MutableMapping[str, FormationState] = field(default_factory=dict)
    """taskforce unit id → its formation that still counts."""
    one_offs: MutableMapping[tuple[str, str], OneOffState] = field(default_factory=dict)
    """`one_off_key` → the acquisition or rollout that still counts."""
    indicators: MutableMapping[str, IndicatorState] = field(default_factory=dict)
    scales: MutableMapping[str, StatusScale] = field(default_factory=dict)
    """scale id → the status scale defined under it."""
    adoptions: list[tuple[Quarter, int, str]] = field(default_factory=list)
    """(from quarter, position, scale id) of every adoption of a scale."""
    events: MutableMapping[uuid.UUID, EventRef] = field(default_factory=dict)
    """Every event by id, for corrections."""
    retracted: MutableSet[uuid.UUID] = field(default_factory=set)
    commits: MutableMapping[str, CommitRef] = field(default_factory=dict)
    saved_at: int | None = field(default=None, compare=False, repr=False)
    """The checkpoint the maps stand on when they are `Entities` read from it, whose
    changed keys are all that differs from it (`write_model.checkpoints`); None for a
    model folded from the log in plain dicts."""

    def scale_for(self, quarter: Quarter) -> StatusScale:
        """The status scale in force for `quarter`."""
        return scale_in_force(self.adoptions, self.scales, quarter)

    def version(self, stream_id: str) -> int:
        return self.versions.get(stream_id, 0)

    def roles_of(self, actor: str) -> set[Role]:
        return self.roles.get(actor, set())

    def has_admin(self) -> bool:
        return any(role.role == "admin" for roles in self.roles.values() for role in roles)
