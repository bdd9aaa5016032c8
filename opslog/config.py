"""Where the database is: ``--db``, else ``OPSLOG_DATABASE_URL``, else ``./opslog.db``."""

from __future__ import annotations

import os

DATABASE_ENV = "OPSLOG_DATABASE_URL"
ACTOR_ENV = "OPSLOG_ACTOR"
DEFAULT_DATABASE_URL = "sqlite:///opslog.db"


def database_url(explicit: str | None = None) -> str:
    """The database to use, from the most specific setting given."""
    return explicit or os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE_URL
