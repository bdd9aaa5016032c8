"""The declared date: when an event's source (a return, a publication) reported it.

A unit or an archivist may record history late; the command then says when its source
reported it (``reported_on``), and the log keeps that date in the event's metadata beside
the real recorded time. An event recorded without one was reported on the day it was
recorded (a Europe/London date). Readers cut on it with ``--as-reported DATE``: an event
counts iff it was reported on or before DATE and recorded by the time of the question.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from catalogue.periods import LONDON

REPORTED_ON = "reported_on"
"""The metadata key of the declared date (ISO ``YYYY-MM-DD``)."""


def recorded_day(recorded_at: datetime) -> date:
    """The London date of a recorded time: what a declared date is compared with."""
    return recorded_at.astimezone(LONDON).date()


def declared_on(metadata: Mapping[str, object], recorded_at: datetime) -> date:
    """The date the event's source reported it: the metadata's ``reported_on``, else the
    day it was recorded (also for a value that is not a date, which no command writes)."""
    value = metadata.get(REPORTED_ON)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return recorded_day(recorded_at)
