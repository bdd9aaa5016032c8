"""Through which channel an event was written: part of every event's metadata.

``{"kind": "api", "token_id": "tok-…"}`` for the HTTP service, where the token says who
acts; ``{"kind": "direct", "os_user": "…", "host": "…"}`` for the operator's channel (the
CLI or the Python API with the database URL), where the operating system user and the
machine are what can be recorded about who typed it.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API, DIRECT = "api", "direct"


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """How a write reached the log."""

    kind: str
    token_id: str | None = None
    os_user: str | None = None
    host: str | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.kind == API:
            return {"kind": API, "token_id": self.token_id}
        return {"kind": DIRECT, "os_user": self.os_user, "host": self.host}

    def describe(self) -> str:
        return describe(self.as_dict())


def api(token_id: str) -> Channel:
    """The HTTP service's channel, for a request authenticated by `token_id`."""
    return Channel(kind=API, token_id=token_id)


def direct() -> Channel:
    """The operator's channel from this process: its OS user and host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Channel(kind=DIRECT, os_user=user, host=socket.gethostname())


def describe(channel: object) -> str:
    """One line for an event's ``channel`` metadata: ``api tok-…``, ``direct alice@host``,
    or ``unrecorded`` for events written before channels were recorded."""
    if not isinstance(channel, Mapping):
        return "unrecorded"
    if channel.get("kind") == API:
        return f"api {channel.get('token_id')}"
    if channel.get("kind") == DIRECT:
        return f"direct {channel.get('os_user')}@{channel.get('host')}"
    return "unrecorded"
