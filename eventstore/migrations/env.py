"""Alembic environment: runs every migration of one upgrade in a single transaction.

The caller (``eventstore.schema``) passes an open connection and the metadata to compare
against in ``config.attributes``; the command-line ``alembic`` uses ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from eventstore.engine import create_engine
from eventstore.tables import metadata as store_metadata

config = context.config
target_metadata = config.attributes.get("target_metadata", store_metadata)

def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url (or pass a connection) to run migrations")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported: triggers differ per database")
run_online()
