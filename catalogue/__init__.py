"""The event catalogue: the one vocabulary that commands write and projections read.

Importing this package registers every event type.
"""

from catalogue.base import (
    CATALOGUE,
    DomainEvent,
    Metadata,
    Recorded,
    UnknownEventType,
    decode,
    encode,
    from_recorded,
    load,
    to_new_event,
    upcast,
)
from catalogue.corrections import EventCorrected, EventRetracted
from catalogue.erasure import ValueErased
from catalogue.identity import TokenIssued, TokenRevoked
from catalogue.indicators import IndicatorDefined, IndicatorValueRecorded
from catalogue.milestones import (
    STATUS_LABELS,
    STATUS_SYMBOLS,
    STATUSES,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
)
from catalogue.overview import FigureRef, Paragraph, QuarterOverviewWritten
from catalogue.periods import (
    FinancialYear,
    Month,
    Period,
    PeriodError,
    Quarter,
    parse_period,
)
from catalogue.scales import (
    DEFAULT_SCALE,
    StatusDef,
    StatusScale,
    StatusScaleAdopted,
    StatusScaleDefined,
    scale_in_force,
    status_def,
)
from catalogue.structure import (
    RoleGranted,
    RoleRevoked,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)
from catalogue.updates import (
    AssetAcquired,
    Fact,
    OperationalUpdate,
    OperationalUpdateRecorded,
    RolloutCompleted,
    TaskforceChanged,
    TaskforceFormed,
    UnitWentLive,
)

UPDATE_TYPES: tuple[str, ...] = tuple(
    name for name, spec in CATALOGUE.items() if issubclass(spec.event_class, OperationalUpdate))
"""The type names of every kind of operational update."""

__all__ = [
    "CATALOGUE",
    "DEFAULT_SCALE",
    "STATUSES",
    "STATUS_LABELS",
    "STATUS_SYMBOLS",
    "UPDATE_TYPES",
    "AssetAcquired",
    "DomainEvent",
    "EventCorrected",
    "EventRetracted",
    "Fact",
    "FigureRef",
    "FinancialYear",
    "IndicatorDefined",
    "IndicatorValueRecorded",
    "Metadata",
    "MilestoneProgressReported",
    "MilestoneRescheduled",
    "MilestoneScheduled",
    "MilestoneWithdrawn",
    "Month",
    "OperationalUpdate",
    "OperationalUpdateRecorded",
    "Paragraph",
    "Period",
    "PeriodError",
    "Quarter",
    "QuarterOverviewWritten",
    "Recorded",
    "RoleGranted",
    "RoleRevoked",
    "RolloutCompleted",
    "StatusDef",
    "StatusScale",
    "StatusScaleAdopted",
    "StatusScaleDefined",
    "TaskforceChanged",
    "TaskforceFormed",
    "ThemeDefined",
    "TokenIssued",
    "TokenRevoked",
    "TopicDefined",
    "UnitRegistered",
    "UnitWentLive",
    "UnknownEventType",
    "ValueErased",
    "decode",
    "encode",
    "from_recorded",
    "load",
    "parse_period",
    "scale_in_force",
    "status_def",
    "to_new_event",
    "upcast",
]
