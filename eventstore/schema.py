"""One Alembic history for the whole database, driven from code.

Other packages add their own version folders (a branch that depends on the store's) and
their own metadata, so `upgrade` to ``heads`` builds everything in one transaction.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from eventstore.tables import metadata as store_metadata

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions that migrate or compare revisions: opening a
# store to read it (every CLI verb) does not need it, and it costs a fifth of a second.


def migrations_path() -> Path:
    """The migration scripts shipped inside the package (wheel or checkout)."""
    return Path(str(files("eventstore") / "migrations"))


def alembic_config(
    version_locations: Sequence[Path] = (),
    target_metadata: Iterable[sa.MetaData] = (),
) -> Config:
    """A Config for the store's migrations plus any extra version folders."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    locations = [migrations_path() / "versions", *version_locations]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", ":".join(str(path) for path in locations))
    combined = _combine([store_metadata, *target_metadata])
    config.attributes["target_metadata"] = combined
    return config


def _combine(metadatas: Sequence[sa.MetaData]) -> sa.MetaData:
    if len(metadatas) == 1:
        return metadatas[0]
    combined = sa.MetaData(naming_convention=metadatas[0].naming_convention)
    for metadata in metadatas:
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def upgrade(engine: Engine, config: Config | None = None, revision: str = "heads") -> None:
    """Migrate to `revision` in one transaction: all of it lands or none of it."""
    from alembic import command

    config = config or alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, revision)
        finally:
            del config.attributes["connection"]


def downgrade(engine: Engine, config: Config | None = None, revision: str = "base") -> None:
    """Migrate down to `revision` in one transaction."""
    from alembic import command

    config = config or alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.downgrade(config, revision)
        finally:
            del config.attributes["connection"]


def check(engine: Engine, config: Config | None = None) -> None:
    """Raise if the tables in code and the migrations disagree (``alembic check``)."""
    from alembic import command

    config = config or alembic_config()
    config.stdout = io.StringIO()  # "No new upgrade operations detected." is for a shell
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.check(config)
        finally:
            del config.attributes["connection"]


def current_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (empty for a database never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def expected_heads(config: Config | None = None) -> set[str]:
    """The head revisions the code ships."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(config or alembic_config()).get_heads())
