"""Erasure: a value recorded that the law says must go (a name written by mistake).

`ValueErased` is the event of an erasure; the store erases the named field of the event at
`target_position` in the same commit (`eventstore.erasure`), replacing its text with
`placeholder`, which every reader then shows in its place. The event itself holds no trace
of the value: only where it was, who erased it (its metadata actor), why and under what
legal basis. The fold reads nothing from it, so a board or report goes on as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.base import DomainEvent, event_type

ERASURE_STREAM = "erasure-log"
MAX_REASON = 500


def placeholder(day: str, actor: str, reason: str) -> str:
    """What stands in an erased value's place: ``[erased on DATE by WHO: REASON]``."""
    return f"[erased on {day} by {actor}: {reason}]"


@event_type("ValueErased", "catalogue.schemas.erasure:ValueErasedSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class ValueErased(DomainEvent):
    """The text of `field` of the event at `target_position` was erased; `placeholder`
    stands in its place."""

    target_position: int
    target_type: str
    field: str
    reason: str
    legal_basis: str
    placeholder: str

    @property
    def stream_id(self) -> str:
        return ERASURE_STREAM

    def summary(self) -> str:
        return (f"erased {self.field} of position {self.target_position} "
                f"({self.target_type}): {self.reason} [{self.legal_basis}]")
