"""Questions asked of ``--read-db`` (a hot standby) or of ``--db``: the cut-off they resolve
to, and a word on standard error when the standby's answer is older than the primary's."""

from __future__ import annotations

from datetime import date, datetime

import click

from opslog.cli.base import Context, UserError
from opslog.standby import StandbyBehind, position_as_of, wait_for_position
from projections import query
from projections.errors import ProjectionError
from projections.fold.cutoff import Cutoff


def read_cutoff(context: Context, as_of: datetime | None = None,
                at_position: int | None = None, effective: date | None = None,
                reported: date | None = None) -> Cutoff:
    """The cut-off of a question, on the store it will be asked of.

    On a standby a position (given, or the primary's for ``--as-of``) must have been
    replayed: the question waits up to ``--read-wait`` for it, then fails saying how far
    behind the standby is, rather than answer from a log that lacks events.
    """
    try:
        if context.read_url is None:
            return query.resolve_cutoff(context.store(), as_of=as_of, at_position=at_position,
                                        effective=effective, reported=reported)
        if as_of is not None and at_position is not None:
            raise UserError("give --as-of or --at-position, not both")
        if as_of is None and at_position is None:
            note_lag(context)
            return Cutoff(None, effective, None, reported)
        if as_of is not None:
            needed = position_as_of(context.store(), as_of)
        else:
            assert at_position is not None
            head = context.store().head().position
            if at_position > head:
                raise UserError(f"position {at_position} is not in the log (head is {head})")
            needed = at_position
        wait_for_position(context.read_store(), needed, context.read_wait)
        return Cutoff(needed, effective, as_of, reported)
    except ProjectionError as error:
        raise UserError(str(error)) from error
    except StandbyBehind as error:
        raise UserError(f"--read-db: {error}") from None


def note_lag(context: Context) -> None:
    """Say on standard error when the standby's head is behind the primary's: its answer
    is the log's as at its own head, which the output names."""
    if context.read_url is None:
        return
    standby = context.read_store().head().position
    primary = context.store().head().position
    if standby < primary:
        click.echo(f"note: the read database has replayed the log to position {standby}; "
                   f"the primary is at {primary}", err=True)
