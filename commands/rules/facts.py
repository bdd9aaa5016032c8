"""An update's named facts: each name once, so a figure has one value."""

from __future__ import annotations

from collections.abc import Sequence

from catalogue.updates import Fact
from commands.errors import Refused


def distinct_names(facts: Sequence[Fact], field: str = "facts") -> None:
    seen: set[str] = set()
    for index, fact in enumerate(facts):
        name = fact.name.strip().lower()
        if name in seen:
            raise Refused(f"{field}.{index}.name", f"{fact.name!r} is named twice")
        seen.add(name)
