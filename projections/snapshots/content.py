"""What a snapshot holds, made from the fold's state at its cut-off.

Pure: the same events up to the same position give the same bytes, which is what
`projections.snapshots.verify` relies on. The renderings are the audit view, with the
positions and event ids a snapshot is checked against. The version of the code that made
a snapshot is stored beside it, never inside the renderings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from catalogue import Quarter
from projections.fold.codec import state_to_json
from projections.fold.cutoff import Cutoff
from projections.fold.state import PlanState
from projections.quarter.report import build_report
from projections.snapshots.parts import quarter_parts


def digest(text: str) -> str:
    """The SHA-256 of `text` as UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_cutoff(position: int, cutoff_at: datetime, reported: date | None = None) -> Cutoff:
    """The question a snapshot answers: the log up to `position`, named by its time, and
    only what was reported by `reported` when it was cut on a declared date."""
    return Cutoff(position, None, cutoff_at, reported)


@dataclass(frozen=True, slots=True)
class Content:
    """A quarter at a cut-off: its renderings and the state to continue folding from."""

    quarter: Quarter
    cutoff_at: datetime
    position: int
    head_hash: str
    board_state: str
    narrative_state: str
    markdown: str
    html: str
    reported: date | None = None
    """The declared date it is cut on (its state then holds only what was reported by it)."""

    @property
    def hashes(self) -> dict[str, str]:
        """The SHA-256 of each stored text, by column stem."""
        return {
            "board_state": digest(self.board_state),
            "narrative_state": digest(self.narrative_state),
            "markdown": digest(self.markdown),
            "html": digest(self.html),
        }


def snapshot_content(state: PlanState, quarter: Quarter, cutoff_at: datetime,
                     head_hash: str, reported: date | None = None) -> Content:
    """Render `quarter` from `state` (folded exactly to the cut-off's position; with
    `reported`, only the events reported by that date, `projections.fold.reported`).

    The renderers (Jinja, markdown-it, matplotlib) are imported here, not with the module:
    `status` reads snapshots through this package and renders nothing."""
    from projections.render.html import render_html
    from projections.render.markdown import render_markdown

    report = build_report(state, quarter, snapshot_cutoff(state.position, cutoff_at, reported))
    parts = quarter_parts(state, quarter)
    return Content(
        quarter=quarter,
        cutoff_at=cutoff_at,
        position=state.position,
        head_hash=head_hash,
        board_state=state_to_json(parts.board),
        narrative_state=state_to_json(parts.narrative),
        markdown=render_markdown(report, audit=True),
        html=render_html(report, audit=True),
        reported=reported,
    )
