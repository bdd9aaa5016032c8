"""Business Plan milestones: scheduled, reported on, moved later, withdrawn.

Per command: its schema, the typed command, how it is decided; `SPECS` at the end
registers each with its permission and what a correction may change. A milestone takes
progress only while open, delivered is final, and it only moves later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marshmallow import fields

from catalogue import (
    DomainEvent,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
)
from catalogue.fields import QuarterField, identifier, text, title
from catalogue.periods import Quarter
from catalogue.schemas.scales import STATUS_ID
from catalogue.streams import milestone_stream
from commands import references
from commands.command import Command, CommandSchema, about, recorded
from commands.context import Context
from commands.dates import not_in_future, quarter_begun
from commands.errors import Refused
from commands.permissions import PLANNING, RECORDER, Policy
from commands.scales import check_status
from commands.spec import CommandSpec
from commands.write_model.state import MilestoneState, State

GROUP = "Milestones"


def live_milestone(state: State, milestone_id: str) -> MilestoneState:
    """A scheduled milestone that is not withdrawn: a withdrawn one takes nothing."""
    milestone = references.milestone(state, milestone_id)
    if milestone.withdrawn:
        raise Refused("milestone_id", f"milestone {milestone_id!r} was withdrawn")
    return milestone


def open_milestone(state: State, milestone_id: str, field: str = "status") -> MilestoneState:
    """A live milestone that is not delivered: a delivered one takes no further status.

    Delivered is final except through a correction (or retraction) of the report that
    said so.
    """
    milestone = live_milestone(state, milestone_id)
    delivered = milestone.delivered_in
    if delivered is not None:
        raise Refused(
            field,
            f"milestone {milestone.milestone_id!r} was delivered in {delivered}; "
            "correct that report to change it",
        )
    return milestone


# -- ScheduleMilestone ------------------------------------------------------------------


class ScheduleMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a new id, e.g. vctf"))
    title = title(required=True, **about("the commitment, e.g. launch of the VCTF"))
    topic_id = identifier(required=True, **about("the topic it sits under"))
    due_quarter = QuarterField(required=True, **about("when it is due, e.g. 2018-19-Q1"))
    owner_unit = identifier(required=True, **about("the unit that delivers it"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleMilestone(Command):
    """Schedule a milestone due in a quarter, owned by a unit."""

    milestone_id: str
    title: str
    topic_id: str
    due_quarter: Quarter
    owner_unit: str


def schedule_milestone(state: State, command: ScheduleMilestone,
                       context: Context) -> list[DomainEvent]:
    references.new_stream(state, milestone_stream(command.milestone_id), "milestone_id",
                          f"milestone {command.milestone_id!r}")
    event = recorded(MilestoneScheduled, command)
    check_schedule(state, event, context)
    return [event]


def check_schedule(state: State, event: MilestoneScheduled, context: Context,
                   prefix: str = "") -> None:
    """Its topic and owner unit exist."""
    references.topic(state, event.topic_id, f"{prefix}topic_id")
    references.unit(state, event.owner_unit, f"{prefix}owner_unit")


# -- ReportMilestoneProgress ------------------------------------------------------------


class ReportMilestoneProgressSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    quarter = QuarterField(required=True, **about("the quarter reported on, e.g. 2018-19-Q1"))
    status = fields.String(required=True, validate=STATUS_ID, **about(
        "a status of the scale in force for the quarter (by default delivered, on_track or "
        "some_delay)"))
    narrative = text(required=True, **about("what happened; paragraphs split by a blank line"))
    as_of = fields.Date(required=True, **about("the date the narrative is true at"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportMilestoneProgress(Command):
    """Report a milestone's status and progress for a quarter."""

    milestone_id: str
    quarter: Quarter
    status: str
    narrative: str
    as_of: date


def report_progress(state: State, command: ReportMilestoneProgress,
                    context: Context) -> list[DomainEvent]:
    open_milestone(state, command.milestone_id)
    event = recorded(MilestoneProgressReported, command)
    check_progress(state, event, context)
    return [event]


def check_progress(state: State, event: MilestoneProgressReported, context: Context,
                   prefix: str = "") -> None:
    """The quarter has begun and the as-of date lies between its start and today."""
    quarter_begun(event.quarter, context, f"{prefix}quarter")
    check_status(state, event.quarter, event.status, f"{prefix}status")
    not_in_future(event.as_of, context, f"{prefix}as_of")
    if event.as_of < event.quarter.first_day:
        raise Refused(f"{prefix}as_of",
                      f"{event.as_of} is before {event.quarter} began ({event.quarter.first_day})")


def _owner_unit(state: State,
                subject: ReportMilestoneProgress | MilestoneProgressReported) -> str:
    """The unit whose recorder reports on the milestone: its owner, as it now stands."""
    return references.milestone(state, subject.milestone_id).owner_unit


PROGRESS = Policy(RECORDER, _owner_unit, "for the milestone's owner unit")


# -- RescheduleMilestone ----------------------------------------------------------------


class RescheduleMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    to_quarter = QuarterField(required=True, **about("a quarter later than the one it is due in"))
    reason = title(required=True, **about("why it moved"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RescheduleMilestone(Command):
    """Move a milestone to a later quarter, with the reason."""

    milestone_id: str
    to_quarter: Quarter
    reason: str


def reschedule_milestone(state: State, command: RescheduleMilestone,
                         context: Context) -> list[DomainEvent]:
    """A milestone moves to a later quarter only, and never once delivered or withdrawn."""
    milestone = open_milestone(state, command.milestone_id, "milestone_id")
    due = milestone.due_quarter
    if command.to_quarter <= due:
        raise Refused("to_quarter", f"must be later than {due}, when it is due now")
    return [MilestoneRescheduled(milestone_id=command.milestone_id, from_quarter=due,
                                 to_quarter=command.to_quarter, reason=command.reason)]


# -- WithdrawMilestone ------------------------------------------------------------------


class WithdrawMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    reason = title(required=True, **about("why it is no longer a commitment"))


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawMilestone(Command):
    """Withdraw a milestone that is no longer a commitment."""

    milestone_id: str
    reason: str


def withdraw_milestone(state: State, command: WithdrawMilestone,
                       context: Context) -> list[DomainEvent]:
    open_milestone(state, command.milestone_id, "milestone_id")
    return [recorded(MilestoneWithdrawn, command)]


SPECS = (
    CommandSpec(ScheduleMilestone, ScheduleMilestoneSchema(), schedule_milestone, PLANNING,
                GROUP, records=MilestoneScheduled, correctable=("title", "owner_unit"),
                check=check_schedule),
    CommandSpec(ReportMilestoneProgress, ReportMilestoneProgressSchema(), report_progress,
                PROGRESS, GROUP, records=MilestoneProgressReported,
                correctable=("status", "narrative", "as_of"), retractable=True,
                check=check_progress),
    CommandSpec(RescheduleMilestone, RescheduleMilestoneSchema(), reschedule_milestone,
                PLANNING, GROUP, records=MilestoneRescheduled, correctable=("reason",),
                retractable=True),
    CommandSpec(WithdrawMilestone, WithdrawMilestoneSchema(), withdraw_milestone, PLANNING,
                GROUP, records=MilestoneWithdrawn, correctable=("reason",), retractable=True),
)
