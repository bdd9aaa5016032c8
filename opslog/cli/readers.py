"""Readers' commands: the milestone board and the quarterly report."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the readers' commands to `group`."""
