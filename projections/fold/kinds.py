"""The event types each part of the state is made of, by their catalogue names.

One list for every reader that picks part of the state by type: the persisted read models
(`projections.readmodels`) in SQL, snapshots (`projections.snapshots`) in memory.
"""

from __future__ import annotations

from catalogue import (
    UPDATE_TYPES,
    DomainEvent,
    EventCorrected,
    EventRetracted,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    StatusScaleAdopted,
    StatusScaleDefined,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
)


def _names(*kinds: type[DomainEvent]) -> tuple[str, ...]:
    return tuple(kind.type_name for kind in kinds)


SCALES = _names(StatusScaleDefined, StatusScaleAdopted)
STRUCTURE = (*_names(ThemeDefined, TopicDefined, UnitRegistered), *SCALES)
"""The plan's structure (with its status scales): every board and report shows it."""
MILESTONE = _names(MilestoneScheduled, MilestoneRescheduled, MilestoneProgressReported,
                   MilestoneWithdrawn)
UPDATES = tuple(sorted(UPDATE_TYPES))
"""The operational updates a report lists."""
BOARD = frozenset((*STRUCTURE, *MILESTONE, *UPDATES))
"""Every event type a board can depend on (besides corrections and retractions of them):
updates too, as the evidence a delivered status is checked against."""
AMENDMENTS = frozenset(_names(EventCorrected, EventRetracted))
