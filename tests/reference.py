"""The published report the Q1 sample reproduces, kept beside the checkout.

The reference is the MPS's own text, so it is not part of the repository: it lives in
``../shared/reference/`` next to the repository root. Without it the tests that read it
skip, and the summary says where it was looked for; with ``OPSLOG_REQUIRE_REFERENCE`` set
(CI sets it) they fail instead, so a missing file cannot pass unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_NAME = "mps-business-plan-progress-2018-19-q1.md"
REFERENCE = Path(os.path.normpath(
    Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / REFERENCE_NAME))
REQUIRE_REFERENCE_ENV = "OPSLOG_REQUIRE_REFERENCE"
MISSING = "the reference report is not at"
"""How a skip for a missing reference begins, for the suite's summary."""


def reference_text() -> str:
    """The reference report; skip (or fail, when it is required) if it is absent."""
    if not REFERENCE.is_file():
        reason = f"{MISSING} {REFERENCE}"
        if os.environ.get(REQUIRE_REFERENCE_ENV):
            pytest.fail(f"{REQUIRE_REFERENCE_ENV} is set but {reason}")
        pytest.skip(reason)
    return REFERENCE.read_text(encoding="utf-8")
