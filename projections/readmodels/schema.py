"""The read models' part of the database schema, for the shell to migrate with the store's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from eventstore import schema
from projections.migrations import versions_path
from projections.readmodels.tables import metadata
from projections.snapshots.tables import metadata as snapshot_metadata

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(extra_version_locations: Sequence[Path] = (),
                   extra_metadata: Sequence[sa.MetaData] = ()) -> Config:
    """One Alembic history: the store's revisions, the read models' branch (snapshots
    included) and any branches the caller adds with their tables (the write side's
    tokens, the shell's)."""
    return schema.alembic_config(
        version_locations=[versions_path(), *extra_version_locations],
        target_metadata=[metadata, snapshot_metadata, *extra_metadata],
    )
