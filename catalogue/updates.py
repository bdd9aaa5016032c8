"""Operational updates: things that happened under a topic, with their facts and narrative.

Each typed update (taskforce formed, unit went live, asset acquired, rollout completed)
carries the facts its kind always has; the general update carries a kind and named facts.
Any update may name the milestone it reports on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from catalogue.base import DomainEvent, event_type
from catalogue.periods import london_midnight
from catalogue.precision import stored_form
from catalogue.streams import update_stream

UPDATE_KINDS = (
    "campaign_launched",
    "exercise_held",
    "operation_outcome",
    "trial_evaluated",
    "service_launched",
    "restructure",
    "strategy_published",
    "other",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """A named figure: ``Fact(name="applications received", kind="count", value=700)``."""

    name: str
    kind: str
    value: int | str
    unit: str | None = None

    @property
    def number(self) -> Decimal | None:
        """The exact value of a numeric fact."""
        return None if self.kind == "text" else Decimal(str(self.value))


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationalUpdate(DomainEvent):
    """What all updates share: where they belong, when they took effect, what they say."""

    update_id: str
    topic_id: str
    unit_id: str
    title: str
    effective_date: date
    narrative: str = ""
    milestone_id: str | None = None
    facts: list[Fact] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return update_stream(self.update_id)

    @property
    def occurred_at(self) -> datetime:
        return london_midnight(self.effective_date)

    def summary(self) -> str:
        return f"{stored_form(self.effective_date)} {self.unit_id}: {self.title}"


@event_type("TaskforceFormed", "catalogue.schemas.updates:TaskforceFormedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class TaskforceFormed(OperationalUpdate):
    """A taskforce was formed: its officers, teams, bases and who pays."""

    taskforce_unit: str
    officers: int
    teams: int
    locations: list[str] = field(default_factory=list)
    funding_source: str = ""


@event_type("TaskforceChanged", "catalogue.schemas.updates:TaskforceChangedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class TaskforceChanged(OperationalUpdate):
    """A formed taskforce changed in the world from its effective date on (272 officers from
    17 September 2018): the figures that changed, None for those that did not.

    Not a correction: the formation stays true of its own dates, and each report shows the
    taskforce as it was in its quarter.
    """

    taskforce_unit: str
    officers: int | None = None
    teams: int | None = None
    locations: list[str] | None = None
    funding_source: str | None = None

    @property
    def changed(self) -> dict[str, object]:
        """The figures this change sets, by field name."""
        return {name: getattr(self, name) for name in TASKFORCE_FIGURES
                if getattr(self, name) is not None}


TASKFORCE_FIGURES = ("officers", "teams", "locations", "funding_source")
"""What a taskforce's formation records and a change may change."""


@event_type("UnitWentLive", "catalogue.schemas.updates:UnitWentLiveSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class UnitWentLive(OperationalUpdate):
    """A BCU (or other unit) went live on its effective date, bringing boroughs together."""

    live_unit: str
    boroughs: list[str]


@event_type("AssetAcquired", "catalogue.schemas.updates:AssetAcquiredSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class AssetAcquired(OperationalUpdate):
    """An asset (a building) was acquired for an exact price, within a wider programme."""

    asset: str
    acquirer: str
    price: Decimal
    programme: str | None = None
    programme_value: Decimal | None = None


@event_type("RolloutCompleted", "catalogue.schemas.updates:RolloutCompletedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class RolloutCompleted(OperationalUpdate):
    """A system finished rolling out: how many were installed, by when."""

    system: str
    count_installed: int


@event_type("OperationalUpdateRecorded", "catalogue.schemas.updates:UpdateRecordedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class OperationalUpdateRecorded(OperationalUpdate):
    """Any other operational update: a campaign, an exercise, an operation's outcome …"""

    kind: str = "other"


