"""Where the database is: ``--db``, else ``OPSLOG_DATABASE_URL``, else ``./opslog.db``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DATABASE_ENV = "OPSLOG_DATABASE_URL"
ACTOR_ENV = "OPSLOG_ACTOR"
READ_DATABASE_ENV = "OPSLOG_READ_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///opslog.db"
URL_EXAMPLES = "sqlite:///opslog.db or postgresql+psycopg://user@host/dbname"


def database_url(explicit: str | None = None) -> str:
    """The database to use, from the most specific setting given."""
    return explicit or os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE_URL


def parse_database_url(text: str) -> URL:
    """`text` as a URL; `ValueError` with the fix when it is a bare path or malformed."""
    from sqlalchemy.engine import make_url  # not at import: `opslog --help` needs no SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(text)
    except ArgumentError:
        raise ValueError(f"{text!r} is not a database URL (use {URL_EXAMPLES})") from None


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names; None for other databases, memory and URI forms."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
