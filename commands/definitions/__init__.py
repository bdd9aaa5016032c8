"""Every command a unit can submit; importing this package registers them all."""

from commands.definitions.base import COMMANDS, Command, CommandSchema, CommandSpec, spec_of
from commands.definitions.corrections import CorrectEvent, RetractEvent
from commands.definitions.indicators import DefineIndicator, RecordIndicatorValue
from commands.definitions.milestones import (
    ReportMilestoneProgress,
    RescheduleMilestone,
    ScheduleMilestone,
    WithdrawMilestone,
)
from commands.definitions.overview import WriteQuarterOverview
from commands.definitions.structure import DefineTheme, DefineTopic, GrantRole, RegisterUnit
from commands.definitions.updates import (
    RecordAssetAcquired,
    RecordOperationalUpdate,
    RecordRolloutCompleted,
    RecordTaskforceFormed,
    RecordUnitWentLive,
    UpdateCommand,
)

__all__ = [
    "COMMANDS",
    "Command",
    "CommandSchema",
    "CommandSpec",
    "CorrectEvent",
    "DefineIndicator",
    "DefineTheme",
    "DefineTopic",
    "GrantRole",
    "RecordAssetAcquired",
    "RecordIndicatorValue",
    "RecordOperationalUpdate",
    "RecordRolloutCompleted",
    "RecordTaskforceFormed",
    "RecordUnitWentLive",
    "RegisterUnit",
    "ReportMilestoneProgress",
    "RescheduleMilestone",
    "RetractEvent",
    "ScheduleMilestone",
    "UpdateCommand",
    "WithdrawMilestone",
    "WriteQuarterOverview",
    "spec_of",
]
