"""Proving snapshots: recompute everything a snapshot stores from the log and compare.

For each snapshot: the hash chain up to its position is recomputed and must end in the
head hash it recorded; its cut-off time must still map to its position; and the state and
both renderings, made again from the events up to that position, must hash to what it
recorded, as must the texts it stores. Any difference is named, with where it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventstore import GENESIS_HASH, EventStore
from projections.fold.state import PlanState, fold
from projections.snapshots.content import Content, digest, snapshot_content
from projections.snapshots.registry import HASHED, Snapshot, SnapshotInfo, load_snapshot
from projections.snapshots.taking import folded_to, reported_position

LABELS = {"board_state": "board state", "narrative_state": "narrative state",
          "markdown": "Markdown", "html": "HTML"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not match: what, and how."""

    part: str
    detail: str

    def __str__(self) -> str:
        return f"{self.part}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one snapshot."""

    info: SnapshotInfo
    findings: tuple[Finding, ...]
    opslog_version: str
    """The version that checked it (renderings may legitimately change between versions)."""

    @property
    def ok(self) -> bool:
        return not self.findings


def first_difference(stored: str, made: str) -> str:
    """Where two texts part: the line and both versions of it (or the offset, on one line)."""
    stored_lines, made_lines = stored.splitlines(), made.splitlines()
    if len(stored_lines) > 1 or len(made_lines) > 1:
        for number, (left, right) in enumerate(zip(stored_lines, made_lines, strict=False), 1):
            if left != right:
                return f"first difference at line {number}: stored {_clip(left)!r}, " \
                       f"log gives {_clip(right)!r}"
        return (f"stored text has {len(stored_lines)} lines, the log gives "
                f"{len(made_lines)}")
    offset = next((index for index, (left, right) in enumerate(zip(stored, made, strict=False))
                   if left != right), min(len(stored), len(made)))
    return (f"first difference at character {offset}: stored "
            f"{_clip(stored[offset:offset + 60])!r}, log gives {_clip(made[offset:offset + 60])!r}")


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _texts(content: Content) -> dict[str, str]:
    return {"board_state": content.board_state, "narrative_state": content.narrative_state,
            "markdown": content.markdown, "html": content.html}


def check(snapshot: Snapshot, made: Content, chain: str | None,
          cutoff_position: int) -> list[Finding]:
    """Compare a stored snapshot with the one the log gives now."""
    info = snapshot.info
    findings = []
    if chain is not None:
        findings.append(Finding("chain", chain))
    elif made.head_hash != info.head_hash:
        findings.append(Finding("head hash", f"recorded {info.head_hash}, the chain at position "
                                             f"{info.position} gives {made.head_hash}"))
    if cutoff_position != info.position:
        findings.append(Finding("cut-off", f"{info.cutoff_at.isoformat()} now maps to position "
                                           f"{cutoff_position}, not {info.position}"))
    remade = _texts(made)
    for stem in HASHED:
        label, recorded, stored = LABELS[stem], info.hashes[stem], snapshot.texts[stem]
        if digest(stored) != recorded:
            findings.append(Finding(label, f"the stored text does not match its recorded SHA-256 "
                                           f"{recorded}"))
        if digest(remade[stem]) != recorded:
            findings.append(Finding(label, f"recorded SHA-256 {recorded}, the log gives "
                                           f"{digest(remade[stem])}; "
                                           f"{first_difference(stored, remade[stem])}"))
    return findings


def verify_snapshots(store: EventStore, snapshot_ids: Sequence[int],
                     opslog_version: str) -> list[Verdict]:
    """Check each snapshot against the log; the log is folded once, in position order."""
    with store.engine.connect() as connection:
        loaded = [load_snapshot(connection, snapshot_id) for snapshot_id in snapshot_ids]
    snapshots = sorted((found for found in loaded if found is not None),
                       key=lambda found: (found.info.position, found.info.id))
    state = PlanState()
    verdicts = []
    chain_problem: str | None = None
    chain_checked, chain_hash = 0, GENESIS_HASH
    for snapshot in snapshots:
        info = snapshot.info
        if chain_problem is None and info.position > chain_checked:
            report = store.verify(from_position=chain_checked + 1, to_position=info.position)
            if report.ok:
                chain_checked, chain_hash = info.position, report.head_hash
            else:
                chain_problem = f"broken at position {report.first_bad_position}: " \
                                f"{report.problem}"
        if info.reported_on is not None:
            made = snapshot_content(folded_to(store, info.position, info.reported_on),
                                    info.quarter, info.cutoff_at,
                                    chain_hash if chain_problem is None else "",
                                    info.reported_on)
            cut, _ = reported_position(store, store.position_at(info.cutoff_at),
                                       info.reported_on)
            findings = check(snapshot, made, chain_problem, cut)
            verdicts.append(Verdict(info, tuple(findings), opslog_version))
            continue
        if info.position > state.position:
            fold(store.read_all(from_position=state.position + 1, to_position=info.position),
                 state)
        made = snapshot_content(state, info.quarter, info.cutoff_at,
                                chain_hash if chain_problem is None else "")
        findings = check(snapshot, made, chain_problem, store.position_at(info.cutoff_at))
        verdicts.append(Verdict(info, tuple(findings), opslog_version))
    return verdicts
