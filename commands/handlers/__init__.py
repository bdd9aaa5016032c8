"""One decide function per command: `decide(state, command, context) -> events`.

They are pure: they read the write model and the context and return new events, or
raise `Refused` naming the field. They never touch the store or the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalogue import DomainEvent
from commands.context import Context
from commands.definitions import (
    Command,
    CorrectEvent,
    DefineIndicator,
    DefineTheme,
    DefineTopic,
    GrantRole,
    RecordAssetAcquired,
    RecordIndicatorValue,
    RecordOperationalUpdate,
    RecordRolloutCompleted,
    RecordTaskforceFormed,
    RecordUnitWentLive,
    RegisterUnit,
    ReportMilestoneProgress,
    RescheduleMilestone,
    RetractEvent,
    ScheduleMilestone,
    WithdrawMilestone,
    WriteQuarterOverview,
)
from commands.handlers import corrections, indicators, milestones, overview, structure, updates
from commands.state import State

Decide = Callable[[State, Any, Context], list[DomainEvent]]

HANDLERS: dict[type[Command], Decide] = {
    DefineTheme: structure.define_theme,
    DefineTopic: structure.define_topic,
    RegisterUnit: structure.register_unit,
    GrantRole: structure.grant_role,
    ScheduleMilestone: milestones.schedule_milestone,
    ReportMilestoneProgress: milestones.report_progress,
    RescheduleMilestone: milestones.reschedule_milestone,
    WithdrawMilestone: milestones.withdraw_milestone,
    RecordTaskforceFormed: updates.record_update,
    RecordUnitWentLive: updates.record_update,
    RecordAssetAcquired: updates.record_update,
    RecordRolloutCompleted: updates.record_update,
    RecordOperationalUpdate: updates.record_update,
    DefineIndicator: indicators.define_indicator,
    RecordIndicatorValue: indicators.record_value,
    WriteQuarterOverview: overview.write_overview,
    CorrectEvent: corrections.correct_event,
    RetractEvent: corrections.retract_event,
}


def decide(state: State, command: Command, context: Context) -> list[DomainEvent]:
    """The events `command` records given `state`, or `Refused`."""
    return HANDLERS[type(command)](state, command, context)
