"""Referenced things must exist, and new ids must be new."""

from __future__ import annotations

from typing import TypeVar

from commands.errors import Refused
from commands.write_model.state import (
    IndicatorState,
    MilestoneState,
    State,
    TopicState,
    UnitState,
)

T = TypeVar("T")


def theme(state: State, number: int, field: str = "theme") -> str:
    return _known(state.themes.get(number), field, f"no theme {number} is defined")


def topic(state: State, topic_id: str, field: str = "topic_id") -> TopicState:
    return _known(state.topics.get(topic_id), field, f"no topic {topic_id!r} is defined")


def unit(state: State, unit_id: str, field: str = "unit_id") -> UnitState:
    return _known(state.units.get(unit_id), field, f"no unit {unit_id!r} is registered")


def milestone(state: State, milestone_id: str, field: str = "milestone_id") -> MilestoneState:
    return _known(state.milestones.get(milestone_id), field,
                  f"no milestone {milestone_id!r} is scheduled")


def indicator(state: State, indicator_id: str, field: str = "indicator_id") -> IndicatorState:
    return _known(state.indicators.get(indicator_id), field,
                  f"no indicator {indicator_id!r} is defined")


def new_stream(state: State, stream_id: str, field: str, what: str) -> None:
    """Ids are unique: the stream a new thing starts must not exist yet."""
    if state.version(stream_id):
        raise Refused(field, f"{what} already exists")


def _known(found: T | None, field: str, reason: str) -> T:
    if found is None:
        raise Refused(field, reason)
    return found
