"""Commands about Business Plan milestones: schedule, report progress, move, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marshmallow import fields, validate

from catalogue.fields import QuarterField, identifier, text, title
from catalogue.milestones import STATUSES
from catalogue.periods import Quarter
from commands.definitions.base import Command, CommandSchema, about, command

GROUP = "Milestones"


class ScheduleMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a new id, e.g. vctf"))
    title = title(required=True, **about("the commitment, e.g. launch of the VCTF"))
    topic_id = identifier(required=True, **about("the topic it sits under"))
    due_quarter = QuarterField(required=True, **about("when it is due, e.g. 2018-19-Q1"))
    owner_unit = identifier(required=True, **about("the unit that delivers it"))


@command("ScheduleMilestone", ScheduleMilestoneSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleMilestone(Command):
    """Schedule a milestone due in a quarter, owned by a unit."""

    milestone_id: str
    title: str
    topic_id: str
    due_quarter: Quarter
    owner_unit: str


class ReportMilestoneProgressSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    quarter = QuarterField(required=True, **about("the quarter reported on, e.g. 2018-19-Q1"))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES),
                           **about("✓ delivered, 📅 on track or 🔧 some delay"))
    narrative = text(required=True, **about("what happened; paragraphs split by a blank line"))
    as_of = fields.Date(required=True, **about("the date the narrative is true at"))


@command("ReportMilestoneProgress", ReportMilestoneProgressSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReportMilestoneProgress(Command):
    """Report a milestone's status and progress for a quarter."""

    milestone_id: str
    quarter: Quarter
    status: str
    narrative: str
    as_of: date


class RescheduleMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    to_quarter = QuarterField(required=True, **about("a quarter later than the one it is due in"))
    reason = title(required=True, **about("why it moved"))


@command("RescheduleMilestone", RescheduleMilestoneSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class RescheduleMilestone(Command):
    """Move a milestone to a later quarter, with the reason."""

    milestone_id: str
    to_quarter: Quarter
    reason: str


class WithdrawMilestoneSchema(CommandSchema):
    milestone_id = identifier(required=True, **about("a scheduled milestone"))
    reason = title(required=True, **about("why it is no longer a commitment"))


@command("WithdrawMilestone", WithdrawMilestoneSchema, GROUP)
@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawMilestone(Command):
    """Withdraw a milestone that is no longer a commitment."""

    milestone_id: str
    reason: str
