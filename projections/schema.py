"""The read models' part of the database schema, for the shell to migrate with the store's."""

from __future__ import annotations

from alembic.config import Config

from eventstore import schema
from projections.migrations import versions_path
from projections.tables import metadata


def alembic_config() -> Config:
    """One Alembic history: the store's revisions and the read models' branch."""
    return schema.alembic_config(version_locations=[versions_path()], target_metadata=[metadata])
