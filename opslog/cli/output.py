"""Terminal output for the auditors' commands: consoles and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

PIPED_WIDTH = 240
"""Tables written to a file or a pipe are not cut to a guessed 80 columns."""


def stdout_console() -> Console:
    """A console on the current standard output (click's, under test)."""
    console = Console(file=sys.stdout)
    if not console.is_terminal:
        console = Console(file=sys.stdout, width=PIPED_WIDTH)
    return console


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A ``(phase, done, total)`` callback drawing a bar per phase on a terminal's stderr.

    Off a terminal (a pipe, a log file, a test) it draws nothing. rich's progress module is
    imported here: `opslog status` prints a table and draws no bar.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(file=sys.stderr)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        tasks = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update
