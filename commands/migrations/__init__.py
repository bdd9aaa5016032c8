"""The write side's migrations: an Alembic branch (``commands``) on the store's history.

It holds the ``tokens`` table (cm0001) and the write model's checkpoints
(``command_model_checkpoints``, cm0002_model_checkpoints); ``opslog init`` upgrades it
with every other head.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def versions_path() -> Path:
    """The folder of revision scripts shipped inside the package (wheel or checkout)."""
    return Path(str(files("commands.migrations") / "versions"))
