"""Referenced things must exist, and new ids must be new."""

from __future__ import annotations

from commands.errors import Refused
from commands.write_model.state import IndicatorState, MilestoneState, State, TopicState, UnitState


def theme(state: State, number: int, field: str = "theme") -> str:
    if number not in state.themes:
        raise Refused(field, f"no theme {number} is defined")
    return state.themes[number]


def topic(state: State, topic_id: str, field: str = "topic_id") -> TopicState:
    found = state.topics.get(topic_id)
    if found is None:
        raise Refused(field, f"no topic {topic_id!r} is defined")
    return found


def unit(state: State, unit_id: str, field: str = "unit_id") -> UnitState:
    found = state.units.get(unit_id)
    if found is None:
        raise Refused(field, f"no unit {unit_id!r} is registered")
    return found


def milestone(state: State, milestone_id: str, field: str = "milestone_id") -> MilestoneState:
    found = state.milestones.get(milestone_id)
    if found is None:
        raise Refused(field, f"no milestone {milestone_id!r} is scheduled")
    return found


def indicator(state: State, indicator_id: str, field: str = "indicator_id") -> IndicatorState:
    found = state.indicators.get(indicator_id)
    if found is None:
        raise Refused(field, f"no indicator {indicator_id!r} is defined")
    return found


def new_stream(state: State, stream_id: str, field: str, what: str) -> None:
    """Ids are unique: the stream a new thing starts must not exist yet."""
    if state.version(stream_id):
        raise Refused(field, f"{what} already exists")
