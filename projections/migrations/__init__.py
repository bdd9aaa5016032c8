"""The read models' migrations: an Alembic branch (``projections``) on the store's history."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def versions_path() -> Path:
    """The folder of revision scripts shipped inside the package (wheel or checkout)."""
    return Path(str(files("projections.migrations") / "versions"))
