"""The figures each reliability check reports, and how large the checks run."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

SCALE_ENV = "OPSLOG_RELIABILITY_SCALE"


def scale() -> float:
    """The multiplier for every count in the suite (``OPSLOG_RELIABILITY_SCALE``, default 1)."""
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{SCALE_ENV} must be a number, not {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{SCALE_ENV} must be above 0, not {raw!r}")
    return value


def scaled(count: int, minimum: int = 1) -> int:
    """`count` times the suite's scale, rounded up, and never below `minimum`."""
    return max(minimum, math.ceil(count * scale()))


@dataclass
class Figures:
    """Named counts from one check on one backend."""

    check: str
    backend: str
    values: dict[str, object] = field(default_factory=dict)

    def add(self, **values: object) -> None:
        self.values.update(values)

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "backend": self.backend, **self.values}

    def __str__(self) -> str:
        shown = ", ".join(f"{key}={value}" for key, value in self.values.items())
        return f"{self.check} [{self.backend}]: {shown}"


collected: list[Figures] = []
"""Every check's figures in this run, for the summary at the end."""
