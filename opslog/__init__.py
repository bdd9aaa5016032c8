"""opslog: the thin shell that wires the event store, commands and projections together."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed metadata only when asked for: importing
    `importlib.metadata` costs a tenth of a second that `opslog --help` should not pay."""
    if name != "__version__":
        raise AttributeError(f"module 'opslog' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("opslog")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"
