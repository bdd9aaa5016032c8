"""The root command group, the shared ``--db`` option and the user-error boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from eventstore import EventStore, EventStoreError
from opslog import __version__
from opslog.config import DATABASE_ENV, database_url


class UserError(click.ClickException):
    """A mistake the user can fix: printed as one line, exit status 1, no traceback."""


@dataclass
class Context:
    """What every subcommand needs: where the database is, opened on first use."""

    url: str
    _store: EventStore | None = None

    def store(self, create: bool = False) -> EventStore:
        if self._store is None:
            try:
                self._store = EventStore.open(self.url, create=create)
            except (EventStoreError, ValueError) as error:
                raise UserError(f"--db: {error}") from error
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class Group(click.Group):
    """Turns the store's errors into one clean line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EventStoreError as error:
            raise UserError(str(error)) from error


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    envvar=DATABASE_ENV,
    default=None,
    metavar="URL",
    help=f"Database URL (sqlite:///file.db or postgresql+psycopg://…); ${DATABASE_ENV}; "
    "default ./opslog.db.",
)
@click.version_option(__version__, prog_name="opslog")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """opslog: an event-sourced operations log for business-plan reporting."""
    context = Context(url=database_url(db))
    ctx.obj = context
    ctx.call_on_close(context.close)


pass_context = click.make_pass_decorator(Context)
