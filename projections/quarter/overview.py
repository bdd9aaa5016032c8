"""The overview's paragraphs with their key figures computed from recorded values.

A paragraph's figures follow its text, each as a sentence: "Total notifiable offences
increased by 6.4 per cent (777,458 to 827,225 offences)." A paragraph may instead place a
figure inside its text with ``{1}``, ``{2}`` … (the figure's number in the paragraph);
the lead-in label, when given, comes before the computed phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from catalogue import FigureRef, IndicatorValueRecorded, Paragraph
from catalogue.periods import LONDON
from catalogue.precision import stored_form
from projections.fold.records import Note, Source
from projections.fold.views import PlanView, Seen
from projections.quarter.figures import Change, change, change_phrase

PLACEHOLDER = re.compile(r"\{(\d+)\}")
RESTATED = IndicatorValueRecorded.type_name
"""The kind of a restated value's own note (its reason and who gave it)."""


@dataclass(frozen=True, slots=True)
class Restatement:
    """An earlier value of the same indicator and period, replaced by a later release:
    from what to what, in which release, why, by whom and when it was recorded."""

    period: str
    value: Decimal
    """The value restated (the earlier one)."""
    released_on: str
    """When the earlier value was released."""
    source: Source
    """The event that recorded the earlier value."""
    to_value: Decimal
    to_released_on: str
    """The release that restated it, and its publication."""
    to_publication: str
    reason: str | None
    """Why; None for a restatement recorded before reasons were."""
    by: str | None
    """The name of the unit the restating actor acts for, where it acts for one."""
    actor: str | None
    """The actor who recorded the restatement with its reason (shown to auditors)."""
    recorded_on: str
    """The London date the restatement was recorded."""
    to_source: Source


@dataclass(frozen=True, slots=True)
class Figure:
    """One key figure: an indicator's change between two periods, and where it came from."""

    indicator_id: str
    name: str
    measure: str
    label: str | None
    from_period: str
    to_period: str
    before: Decimal | None
    after: Decimal | None
    change: Change | None
    phrase: str
    """``increased by 6.4 per cent (777,458 to 827,225 offences)``, or why it is missing."""
    before_source: Source | None
    after_source: Source | None
    notes: tuple[Note, ...]
    restated: tuple[Restatement, ...]

    @property
    def text(self) -> str:
        """The phrase with its lead-in: the label, else the indicator's name."""
        lead = self.label if self.label is not None else self.name
        return f"{lead} {self.phrase}"

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(source for source in (self.before_source, self.after_source) if source)


@dataclass(frozen=True, slots=True)
class OverviewParagraph:
    """Text and figures in reading order."""

    parts: tuple[str | Figure, ...]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(part for part in self.parts if isinstance(part, Figure))

    @property
    def text(self) -> str:
        return "".join(part if isinstance(part, str) else part.text for part in self.parts)


def overview_paragraphs(view: PlanView, paragraphs: list[Paragraph]) -> tuple[OverviewParagraph,
                                                                              ...]:
    return tuple(_paragraph(view, paragraph) for paragraph in paragraphs)


def _paragraph(view: PlanView, paragraph: Paragraph) -> OverviewParagraph:
    figures = [figure(view, reference) for reference in paragraph.figures]
    parts: list[str | Figure] = []
    placed: set[int] = set()
    cursor = 0
    for match in PLACEHOLDER.finditer(paragraph.text):
        index = int(match.group(1)) - 1
        if not 0 <= index < len(figures):
            continue
        parts.append(paragraph.text[cursor:match.start()])
        parts.append(figures[index])
        placed.add(index)
        cursor = match.end()
    parts.append(paragraph.text[cursor:])
    for index, found in enumerate(figures):
        if index not in placed:
            parts.extend([" " if parts[-1] else "", found, "."])
    return OverviewParagraph(tuple(part for part in parts if part != ""))


def figure(view: PlanView, reference: FigureRef) -> Figure:
    """Compute one cited figure from the values visible in `view`."""
    indicator = view.indicators.get(reference.indicator_id)
    before = view.value(reference.indicator_id, reference.from_period)
    after = view.value(reference.indicator_id, reference.to_period)
    name = indicator.event.name if indicator else reference.indicator_id
    measure = indicator.event.measure if indicator else ""
    moved = None
    if indicator is None:
        phrase = f"(no indicator {reference.indicator_id} is defined)"
    elif before is None or after is None:
        missing = [period for period, seen in ((reference.from_period, before),
                                               (reference.to_period, after)) if seen is None]
        phrase = f"(no value recorded for {' or '.join(missing)})"
    else:
        moved = change(before.event.value, after.event.value, indicator.event)
        phrase = change_phrase(before.event.value, after.event.value, indicator.event)
    return Figure(
        indicator_id=reference.indicator_id,
        name=name,
        measure=measure,
        label=reference.label,
        from_period=reference.from_period,
        to_period=reference.to_period,
        before=before.event.value if before else None,
        after=after.event.value if after else None,
        change=moved,
        phrase=phrase,
        before_source=before.source if before else None,
        after_source=after.source if after else None,
        notes=tuple(note for seen in (before, after) if seen is not None for note in seen.notes
                    if note.kind != RESTATED),
        restated=(*_restated(view, reference.indicator_id, reference.from_period),
                  *_restated(view, reference.indicator_id, reference.to_period)),
    )


def _restated(view: PlanView, indicator_id: str, period: str) -> tuple[Restatement, ...]:
    """Each value the period's later ones replaced, paired with the one that replaced it."""
    values = view.values.get((indicator_id, period), [])
    return tuple(_restatement(view, period, earlier, later)
                 for earlier, later in pairwise(values))


def _restatement(view: PlanView, period: str, earlier: Seen[IndicatorValueRecorded],
                 later: Seen[IndicatorValueRecorded]) -> Restatement:
    note = next((note for note in later.notes if note.kind == RESTATED), None)
    unit = view.units.get(note.unit) if note is not None and note.unit else None
    return Restatement(
        period, earlier.event.value, stored_form(earlier.event.released_on), earlier.source,
        to_value=later.event.value,
        to_released_on=stored_form(later.event.released_on),
        to_publication=later.event.source,
        reason=later.event.reason,
        by=unit.event.name if unit is not None else None,
        actor=note.actor if note is not None else None,
        recorded_on=later.record.recorded_at.astimezone(LONDON).date().isoformat(),
        to_source=later.source,
    )
