"""A quarter's diff as data and as lines, for `opslog diff` and the HTTP service alike."""

from __future__ import annotations

import dataclasses
from typing import Any

from projections.audit.compare import transition
from projections.audit.diff import Cause, QuarterDiff


def cause_line(cause: Cause) -> str:
    """``    #41 EventCorrected by alice at …: delivered → on track (reason: works started)``."""
    line = f"    #{cause.position} {cause.type} by {cause.actor or '?'} at {cause.recorded_at}"
    line += f": {transition(cause.before, cause.after)}"
    return f"{line} (reason: {cause.reason})" if cause.reason else line


def diff_as_json(result: QuarterDiff) -> dict[str, Any]:
    return {
        "quarter": str(result.quarter),
        "from_position": result.from_position,
        "to_position": result.to_position,
        "changes": [
            {"kind": t.change.kind, "key": t.change.key, "what": t.change.what,
             "before": t.change.before, "after": t.change.after,
             "causes": [dataclasses.asdict(cause) for cause in t.causes]}
            for t in result.changes
        ],
    }
