"""Operators' commands: set up the database."""

from __future__ import annotations

import click

from opslog.cli.base import Context, pass_context
from opslog.database import initialise


@click.command()
@pass_context
def init(context: Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    store = context.store()
    initialise(store)
    head = store.head()
    click.echo(f"database ready at {context.url} (head position {head.position})")


def register(group: click.Group) -> None:
    group.add_command(init)
