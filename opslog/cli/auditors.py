"""Auditors' commands: read and check the log, never write it."""

from __future__ import annotations

import click

from opslog.cli.base import Context, pass_context


@click.command()
@click.option("--from-position", type=click.IntRange(min=1), default=1, show_default=True,
              help="Start checking here (trusting the stored hash just before).")
@pass_context
def verify(context: Context, from_position: int) -> None:
    """Recompute the hash chain; exit 0 only when it is intact."""
    report = context.store().verify(from_position=from_position)
    click.echo(str(report))
    if not report.ok:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    group.add_command(verify)
