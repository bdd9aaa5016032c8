"""The root command group, the shared ``--db`` option and the user-error boundary."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from opslog.config import (
    DATABASE_ENV,
    READ_DATABASE_ENV,
    database_url,
    parse_database_url,
    sqlite_file,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from eventstore import EventStore, StoreUnavailable
    from eventstore.checkpoints import Signing


class UserError(click.ClickException):
    """A mistake the user can fix: printed as one line, exit status 1, no traceback."""


@dataclass
class Context:
    """What every subcommand needs: where the database is, opened on first use."""

    url: str
    _store: EventStore | None = None
    read_url: str | None = None
    """``--read-db``: a hot standby that the reading verbs ask instead of ``--db``."""
    read_wait: float = 10.0
    _read_store: EventStore | None = None

    def store(self, create: bool = False, new_ok: bool = False) -> EventStore:
        """The store at `url`. Only with `new_ok` (init, demo) may a missing SQLite file be
        created: any other verb refuses it rather than leave an empty file behind."""
        if self._store is None:
            import sqlalchemy.exc as sa_exc

            from eventstore import EventStore, EventStoreError

            try:
                url = parse_database_url(self.url)
                path = sqlite_file(url)
                if path is not None and not new_ok and not path.exists():
                    raise UserError(f"--db: no database at {path} (run opslog init)")
                signing = _signing(url)
                self._store = EventStore.open(url, create=create, signing=signing)
            except (EventStoreError, ValueError, sa_exc.ArgumentError) as error:
                raise UserError(f"--db: {error}") from error
        return self._store

    def read_store(self) -> EventStore:
        """Where questions go: the ``--read-db`` standby when given, else the database."""
        if self.read_url is None:
            return self.store()
        if self._read_store is None:
            import sqlalchemy.exc as sa_exc

            from eventstore import EventStore, EventStoreError

            try:
                url = parse_database_url(self.read_url)
                if url.get_backend_name() != "postgresql":
                    raise UserError("--read-db: a PostgreSQL hot standby's URL "
                                    "(postgresql+psycopg://…)")
                self._read_store = EventStore.open(url)
            except (EventStoreError, ValueError, sa_exc.ArgumentError) as error:
                raise UserError(f"--read-db: {error}") from error
        return self._read_store

    def close(self) -> None:
        if self._read_store is not None:
            self._read_store.close()
            self._read_store = None
        if self._store is not None:
            self._store.close()
            self._store = None


def _signing(url: URL) -> Signing | None:
    """The log's signing key from the environment, so snapshots and publications carry a
    checkpoint; a malformed key is the user's to fix."""
    from opslog.keys import KeyProblem, signing_from_environment

    try:
        return signing_from_environment(url)
    except KeyProblem as error:
        raise UserError(str(error)) from None


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


class Lazy(NamedTuple):
    """A verb known by name before its module is imported: ``module:attribute`` and the
    one-line summary the root ``--help`` lists (a test holds it to the command's own)."""

    target: str
    summary: str


class Group(click.Group):
    """Turns the store's errors into one clean line and a non-zero exit, and gives every
    command added to it (and to its subgroups) the shared ``--db`` option.

    Verbs given in `lazy` are imported only when they run or show their help (click's
    "Lazily Loading Subcommands"): each audience's module pulls in what its verbs need
    (SQLAlchemy, matplotlib, Jinja, rich …), which `opslog --help` or another verb must
    not wait for.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _give_db_option(cmd)
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(_load(self.lazy[cmd_name].target), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The verbs and their summaries as click lists them, importing none of the lazy."""
        names = [name for name in self.list_commands(ctx)
                 if name not in self.commands or not self.commands[name].hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            rows.append((name, loaded.get_short_help_str(limit) if loaded is not None
                         else click.Command(name, help=self.lazy[name].summary)
                         .get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            found = _user_error(error)
            if found is None:
                raise
            raise found from error


def _load(target: str) -> click.Command:
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command


def _user_error(error: Exception) -> UserError | None:
    """The store's and the driver's errors as one clean line; None for anything else.

    Imported here, not at the top: a verb that failed before it opened the store has not
    loaded them, and `opslog --help` must not."""
    import sqlalchemy.exc as sa_exc

    from commands.errors import Refused
    from eventstore import EventStoreError, StoreUnavailable
    from eventstore.translate import translate

    if isinstance(error, Refused):
        field = "--actor" if error.field == "actor" else error.field
        return UserError(f"{field}: {error.reason}")
    if isinstance(error, StoreUnavailable):
        return UserError(unavailable(error))
    if isinstance(error, EventStoreError):
        return UserError(str(error))
    if isinstance(error, sa_exc.DBAPIError):
        translated = translate(error)
        if isinstance(translated, StoreUnavailable):
            return UserError(unavailable(translated))
        return UserError(str(translated))
    return None


def _give_db_option(cmd: click.Command) -> None:
    if not any(param.name == "db" for param in cmd.params):
        cmd.params.append(db_option())
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _give_db_option(sub)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", envvar=DATABASE_ENV, default=None, metavar="URL", help=DB_HELP)
@click.option("--read-db", "read_db", envvar=READ_DATABASE_ENV, default=None, metavar="URL",
              help="A PostgreSQL hot standby of --db for status, report, log, history and "
                   f"diff (and serve's reads); ${READ_DATABASE_ENV}.")
@click.option("--read-wait", type=click.FloatRange(min=0), default=10.0, show_default=True,
              metavar="SECONDS", help="How long a question for a position the standby has "
                                      "not replayed waits before saying how far behind it is.")
@click.version_option(package_name="opslog", prog_name="opslog")
@click.pass_context
def main(ctx: click.Context, db: str | None, read_db: str | None, read_wait: float) -> None:
    """opslog: an event-sourced operations log for business-plan reporting."""
    context = Context(url=database_url(db), read_url=read_db or None, read_wait=read_wait)
    ctx.obj = context
    ctx.call_on_close(context.close)


pass_context = click.make_pass_decorator(Context)
