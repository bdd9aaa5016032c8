"""The shell's own tables: an Alembic branch (``opslog``) on the store's history.

It once held APScheduler's job table (op0001) and now drops it (op0002): the scheduler
keeps its jobs in memory, and no table of the shell's is left. The branch stays so that
databases made before are brought to the same schema by ``opslog init``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def versions_path() -> Path:
    """The folder of revision scripts shipped inside the package (wheel or checkout)."""
    return Path(str(files("opslog.migrations") / "versions"))
