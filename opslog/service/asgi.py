"""The app as uvicorn's workers build it: each worker process opens its own store.

`opslog serve` passes its settings through the environment, which every worker inherits,
so ``--workers N`` works with uvicorn's own process manager.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from eventstore import EventStore
from opslog.config import DATABASE_ENV, READ_DATABASE_ENV, database_url
from opslog.database import check
from opslog.service.app import create_app
from opslog.service.auth import token_authenticator
from opslog.service.limits import REQUEST_TIMEOUT_SECONDS

PUBLIC_ENV = "OPSLOG_SERVE_PUBLIC"
TIMEOUT_ENV = "OPSLOG_SERVE_TIMEOUT"


def app_from_environment() -> Starlette:
    """The service over ``$OPSLOG_DATABASE_URL``, refusing a database not at this schema;
    its reads go to ``$OPSLOG_READ_DATABASE_URL`` when that names a standby."""
    store = EventStore.open(database_url(os.environ.get(DATABASE_ENV)))
    check(store)
    read_url = os.environ.get(READ_DATABASE_ENV)
    reads = EventStore.open(read_url) if read_url else None
    return create_app(store, token_authenticator(store), reads=reads,
                      public=os.environ.get(PUBLIC_ENV) == "1",
                      timeout=float(os.environ.get(TIMEOUT_ENV, REQUEST_TIMEOUT_SECONDS)),
                      owns_store=True)
