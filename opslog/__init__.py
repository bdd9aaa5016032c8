"""opslog: the thin shell that wires the event store, commands and projections together."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("opslog")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"
