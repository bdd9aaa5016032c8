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

`opslog demo` records more than Quarter 1: a multi-quarter history as archivists
back-filling it would (`HISTORY`), each file with the date its source reported it
(`reported_on`, given once for the whole file rather than on every line; a line may still
give its own). Each quarterly return is declared as at its quarter's end, as the
published Quarter 1 update says of itself ("provided here as at end of June 2018"): the
Quarter 2 return reports the Central East BCU (Hackney, Tower Hamlets) live from September
2018 and the Violent Crime Taskforce at 272 officers from 17 September 2018; the Quarter 3
return corrects the go-live to November 2018; the release of 25 April 2019 restates
2017-18's total notifiable offences from 827,225 to 829,418. So
``--as-reported``, ``diff`` and snapshots have something real to show however late the
history is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """A sample command file and the date its source reported it."""

    name: str
    reported_on: date


HISTORY = (
    HistoryFile(SAMPLE_FILE, date(2018, 6, 30)),
    HistoryFile("q2-2018-19.jsonl", date(2018, 9, 30)),
    HistoryFile("q3-2018-19.jsonl", date(2018, 12, 31)),
    HistoryFile("release-2019-04-25.jsonl", date(2019, 4, 25)),
)
"""What `opslog demo` records, in this order."""


def history_commands(history: HistoryFile) -> Iterator[tuple[int, Item]]:
    """(line number, envelope) for every command of one file of the demo's history, each
    envelope declaring the file's date unless it gives its own ``reported_on``."""
    text = files(__package__).joinpath(history.name).read_text(encoding="utf-8")
    for line, item in read_commands(text):
        if isinstance(item, dict):
            item.setdefault("reported_on", history.reported_on.isoformat())
        yield line, item
