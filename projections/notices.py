"""How a question says, on the side, that it did not use a stored answer and why.

A board or report can come from read models, a snapshot or the log. When a stored answer
fails its check, or cannot be brought up to date, the question answers another way and
tells its caller in one line (the command line prints it on standard error).
"""

from __future__ import annotations

from collections.abc import Callable

Notice = Callable[[str], None]
"""Told, in one line, why a stored answer was not used."""


def tell(notice: Notice | None, message: str) -> None:
    """Say `message` to `notice`, when the caller gave one."""
    if notice is not None:
        notice(message)
