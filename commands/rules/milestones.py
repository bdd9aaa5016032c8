"""A milestone's life: progress only while open, delivered is final, moves only go later."""

from __future__ import annotations

from catalogue import MilestoneProgressReported, MilestoneScheduled
from commands.context import Context
from commands.errors import Refused
from commands.rules import references
from commands.rules.dates import not_in_future, quarter_begun
from commands.state import MilestoneState, State


def open_for_status(milestone: MilestoneState, field: str = "status") -> None:
    """A withdrawn milestone takes nothing; a delivered one takes no further status.

    Delivered is final except through a correction (or retraction) of the report that
    said so.
    """
    if milestone.withdrawn:
        raise Refused("milestone_id", f"milestone {milestone.milestone_id!r} was withdrawn")
    delivered = milestone.delivered_in
    if delivered is not None:
        raise Refused(
            field,
            f"milestone {milestone.milestone_id!r} was delivered in {delivered}; "
            "correct that report to change it",
        )


def check_progress(state: State, event: MilestoneProgressReported, context: Context,
                   prefix: str = "") -> None:
    """The quarter has begun and the as-of date lies between its start and today."""
    quarter_begun(event.quarter, context, f"{prefix}quarter")
    not_in_future(event.as_of, context, f"{prefix}as_of")
    if event.as_of < event.quarter.first_day:
        raise Refused(f"{prefix}as_of",
                      f"{event.as_of} is before {event.quarter} began ({event.quarter.first_day})")


def check_schedule(state: State, event: MilestoneScheduled, context: Context,
                   prefix: str = "") -> None:
    """Its topic and owner unit exist."""
    references.topic(state, event.topic_id, f"{prefix}topic_id")
    references.unit(state, event.owner_unit, f"{prefix}owner_unit")
