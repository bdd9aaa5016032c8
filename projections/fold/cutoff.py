"""The two time axes of every question: what the log knew, and when things took effect.

* knowledge (`position`): only events at or before this position — what the log said
  then. ``--as-of TIME`` becomes the last position recorded at or before TIME.
* effect (`effective`): only facts whose effective date is on or before this date —
  what we now know the world looked like then.

A correction or retraction is knowledge: it applies from its own position on, to every
effective date. One exception keeps a release true at its own date: an indicator value
corrected into a later release (a restatement made through `CorrectEvent`) still reads
as first released at effective dates before the later release.

A third, optional axis cuts knowledge by the date the sources declared instead of the time
of recording (`reported`, ``--as-reported DATE``; `projections.fold.reported`): for
history recorded late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from projections.fold.records import RELEASES, Record, Version, effective_date, released_by


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A point on both axes; None on an axis means "no limit"."""

    position: int | None = None
    effective: date | None = None
    as_of: datetime | None = None
    """The time asked for, when the position came from ``--as-of`` (for display only)."""
    reported: date | None = None
    """Only events their sources had reported by this date (and recorded by `position`):
    the state a question folds is filtered so (`projections.fold.reported`)."""

    def sees(self, record: Record) -> Version | None:
        """The version of `record` visible at this cut-off, if any."""
        version = record.version_at(self.position)
        if version is None or self.effective is None:
            return version
        on = effective_date(version.event, record.occurred_at)
        if on is None or on <= self.effective:
            return version
        return released_by(record, version, self.effective) if record.type in RELEASES else None

    def at(self, position: int) -> Cutoff:
        """The same question with the knowledge axis pinned to `position`."""
        return Cutoff(position, self.effective, self.as_of, self.reported)


NOW = Cutoff()
