"""Units' commands: record what happened."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the units' commands to `group`."""
