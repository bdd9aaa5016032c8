"""`opslog verify` beyond the chain: the read models and snapshots, recomputed from the log."""

from __future__ import annotations

from dataclasses import dataclass

from eventstore import EventStore
from projections.readmodels.recompute import check_read_models, summary
from projections.snapshots.registry import has_snapshot_tables, snapshot_infos
from projections.snapshots.verify import verify_snapshots


@dataclass(frozen=True, slots=True)
class ReadSideCheck:
    lines: list[str]
    ok: bool


def check_read_side(store: EventStore, opslog_version: str) -> ReadSideCheck:
    """Recompute the live read models and every snapshot from the log; name what differs."""
    lines: list[str] = []
    ok = True
    models = check_read_models(store)
    if models is None:
        lines.append("read models: not built (nothing to check)")
    else:
        lines += summary(models)
        ok = models.ok
    with store.engine.connect() as connection:
        ids = ([info.id for info in snapshot_infos(connection)]
               if has_snapshot_tables(connection) else [])
    verdicts = verify_snapshots(store, ids, opslog_version) if ids else []
    failed = [verdict for verdict in verdicts if not verdict.ok]
    if not verdicts:
        lines.append("snapshots: none (nothing to check)")
    else:
        lines.append(f"snapshots: {len(verdicts)} recomputed from the log, "
                     + (f"{len(failed)} DIFFER" if failed else "all match"))
    for verdict in failed:
        info = verdict.info
        lines.append(f"snapshot {info.id} ({info.quarter}, position {info.position}) DIFFERS")
        lines += [f"  {finding}" for finding in verdict.findings]
    return ReadSideCheck(lines, ok and not failed)
