"""Decide a milestone's life: scheduled, reported on, moved later, withdrawn."""

from __future__ import annotations

from catalogue import (
    DomainEvent,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
)
from catalogue.streams import milestone_stream
from commands.context import Context
from commands.definitions import (
    ReportMilestoneProgress,
    RescheduleMilestone,
    ScheduleMilestone,
    WithdrawMilestone,
)
from commands.errors import Refused
from commands.rules import references
from commands.rules.milestones import check_progress, check_schedule, open_for_status
from commands.state import State


def schedule_milestone(state: State, command: ScheduleMilestone,
                       context: Context) -> list[DomainEvent]:
    references.new_stream(state, milestone_stream(command.milestone_id), "milestone_id",
                          f"milestone {command.milestone_id!r}")
    event = MilestoneScheduled(
        milestone_id=command.milestone_id,
        title=command.title,
        topic_id=command.topic_id,
        due_quarter=command.due_quarter,
        owner_unit=command.owner_unit,
    )
    check_schedule(state, event, context)
    return [event]


def report_progress(state: State, command: ReportMilestoneProgress,
                    context: Context) -> list[DomainEvent]:
    milestone = references.milestone(state, command.milestone_id)
    open_for_status(milestone)
    event = MilestoneProgressReported(
        milestone_id=command.milestone_id,
        quarter=command.quarter,
        status=command.status,
        narrative=command.narrative,
        as_of=command.as_of,
    )
    check_progress(state, event, context)
    return [event]


def reschedule_milestone(state: State, command: RescheduleMilestone,
                         context: Context) -> list[DomainEvent]:
    """A milestone moves to a later quarter only, and never once delivered or withdrawn."""
    milestone = references.milestone(state, command.milestone_id)
    open_for_status(milestone, "milestone_id")
    due = milestone.due_quarter
    if command.to_quarter <= due:
        raise Refused("to_quarter", f"must be later than {due}, when it is due now")
    return [MilestoneRescheduled(milestone_id=command.milestone_id, from_quarter=due,
                                 to_quarter=command.to_quarter, reason=command.reason)]


def withdraw_milestone(state: State, command: WithdrawMilestone,
                       context: Context) -> list[DomainEvent]:
    milestone = references.milestone(state, command.milestone_id)
    open_for_status(milestone, "milestone_id")
    return [MilestoneWithdrawn(milestone_id=command.milestone_id, reason=command.reason)]
