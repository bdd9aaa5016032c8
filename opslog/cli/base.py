"""The root command group, the shared ``--db`` option and the user-error boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click
import sqlalchemy.exc as sa_exc

from eventstore import EventStore, EventStoreError, StoreUnavailable
from eventstore.translate import translate
from opslog import __version__
from opslog.config import DATABASE_ENV, database_url, parse_database_url, sqlite_file


class UserError(click.ClickException):
    """A mistake the user can fix: printed as one line, exit status 1, no traceback."""


@dataclass
class Context:
    """What every subcommand needs: where the database is, opened on first use."""

    url: str
    _store: EventStore | None = None

    def store(self, create: bool = False, new_ok: bool = False) -> EventStore:
        """The store at `url`. Only with `new_ok` (init, demo) may a missing SQLite file be
        created: any other verb refuses it rather than leave an empty file behind."""
        if self._store is None:
            try:
                url = parse_database_url(self.url)
                path = sqlite_file(url)
                if path is not None and not new_ok and not path.exists():
                    raise UserError(f"--db: no database at {path} (run opslog init)")
                self._store = EventStore.open(url, create=create)
            except (EventStoreError, ValueError, sa_exc.ArgumentError) as error:
                raise UserError(f"--db: {error}") from error
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def unavailable(error: StoreUnavailable) -> str:
    """One line for a database that refused or lost the connection."""
    return f"the database connection was refused or lost: {error}"


def _use_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--db`` given after the verb: it replaces the one before it, or the default."""
    context = ctx.find_object(Context)
    if value is not None and context is not None:
        context.url = database_url(value)


DB_HELP = (f"Database URL (sqlite:///file.db or postgresql+psycopg://…); ${DATABASE_ENV}; "
           "default ./opslog.db.")


def db_option() -> click.Option:
    """The ``--db`` every verb takes, so it may come after the verb as well as before."""
    return click.Option(["--db"], metavar="URL", default=None, expose_value=False,
                        is_eager=True, callback=_use_db, help=DB_HELP)


class Group(click.Group):
    """Turns the store's errors into one clean line and a non-zero exit, and gives every
    command added to it (and to its subgroups) the shared ``--db`` option."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _give_db_option(cmd)
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreUnavailable as error:
            raise UserError(unavailable(error)) from error
        except EventStoreError as error:
            raise UserError(str(error)) from error
        except sa_exc.DBAPIError as error:
            translated = translate(error)
            if isinstance(translated, StoreUnavailable):
                raise UserError(unavailable(translated)) from error
            raise UserError(str(translated)) from error


def _give_db_option(cmd: click.Command) -> None:
    if not any(param.name == "db" for param in cmd.params):
        cmd.params.append(db_option())
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _give_db_option(sub)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", envvar=DATABASE_ENV, default=None, metavar="URL", help=DB_HELP)
@click.version_option(__version__, prog_name="opslog")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """opslog: an event-sourced operations log for business-plan reporting."""
    context = Context(url=database_url(db))
    ctx.obj = context
    ctx.call_on_close(context.close)


pass_context = click.make_pass_decorator(Context)
