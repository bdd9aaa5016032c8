"""The shell's own tables: an Alembic branch (``opslog``) on the store's history.

Only APScheduler's job table lives here; every schema change goes through Alembic, even
for a table a library would otherwise create for itself.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def versions_path() -> Path:
    """The folder of revision scripts shipped inside the package (wheel or checkout)."""
    return Path(str(files("opslog.migrations") / "versions"))
