"""A one-line summary of any payload, for log and history views that know no event types.

When the event catalogue can say more about a type, its own summary is passed in instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_SUMMARY = 100


def summarise_payload(data: Mapping[str, Any], width: int = MAX_SUMMARY) -> str:
    """``key=value, …`` in key order, on one line, cut to `width` characters."""
    parts = [f"{_flat(key)}={_flat(_value(value))}" for key, value in sorted(data.items())]
    return one_line(", ".join(parts), width)


def one_line(text: str, width: int = MAX_SUMMARY) -> str:
    """`text` with line breaks and control characters as spaces, cut with an ellipsis."""
    flat = _flat(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _flat(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
