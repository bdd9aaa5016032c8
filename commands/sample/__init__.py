"""The MPS Business Plan progress update, 2018-19 Quarter 1, as a command file.

Every theme and topic, every unit, the six milestones with their progress, every
operational update with its date and figures, the crime figures for both years and the
overview, in the order the report reads: a report that orders items by the position at
which each was first recorded prints them as the reference does. Narrative is the
reference's, paragraph by paragraph; the overview cites indicators instead of repeating
their figures. Where the report names only a month the effective date is its first day,
"in Quarter 1" is 1 April 2018, and how things stood is as at 30 June 2018.

Its structure is recorded by `SAMPLE_ADMIN`, whom the operator makes the first admin
(``opslog init --admin opslog.admin``; ``opslog demo`` does it) before the file is
submitted: no command makes the first admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files

from commands.files import Item, read_commands

SAMPLE_FILE = "q1-2018-19.jsonl"
SAMPLE_ADMIN = "opslog.admin"
"""The sample's admin: the actor of its structure commands."""


def sample_text() -> str:
    """The command file's text, from the installed package."""
    return files(__package__).joinpath(SAMPLE_FILE).read_text(encoding="utf-8")


def sample_commands() -> Iterator[tuple[int, Item]]:
    """(line number, envelope) for every command of the sample."""
    return read_commands(sample_text())
