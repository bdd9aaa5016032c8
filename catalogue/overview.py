"""The quarter's overview: narrative paragraphs, each followed by the key figures it cites.

Figures are references (indicator, from period, to period), never typed-in numbers: the
report computes "an increase of 6.4 per cent (777,458 to 827,225)" from recorded values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.base import DomainEvent, event_type
from catalogue.periods import Quarter
from catalogue.streams import overview_stream


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureRef:
    """Cite an indicator's change between two periods, with an optional lead-in label."""

    indicator_id: str
    from_period: str
    to_period: str
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    text: str
    figures: list[FigureRef] = field(default_factory=list)


@event_type("QuarterOverviewWritten", "catalogue.schemas.overview:QuarterOverviewWrittenSchema")
@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterOverviewWritten(DomainEvent):
    """The quarter's overview; a later one for the same quarter replaces it."""

    quarter: Quarter
    paragraphs: list[Paragraph]
    introduction: list[str] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return overview_stream(self.quarter)

    def summary(self) -> str:
        return f"overview of {self.quarter} ({len(self.paragraphs)} paragraphs)"
