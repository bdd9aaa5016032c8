"""The write model the rules consult, and the fold that keeps it."""

from commands.state.evolve import Logged, evolve, fold_recorded
from commands.state.model import (
    CommitRef,
    EventRef,
    IndicatorState,
    MilestoneState,
    ProgressState,
    Role,
    State,
    TopicState,
    UnitState,
    ValueState,
)

__all__ = [
    "CommitRef",
    "EventRef",
    "IndicatorState",
    "Logged",
    "MilestoneState",
    "ProgressState",
    "Role",
    "State",
    "TopicState",
    "UnitState",
    "ValueState",
    "evolve",
    "fold_recorded",
]
