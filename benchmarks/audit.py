"""Audit throughput and memory: verify, export and verify-export at two lengths of log.

Not a test. For each backend it builds two logs, N/10 and N events long, through the
store's own append API, then runs each operation in a fresh child process and reports:

* events per second of wall time, and per second of the process's CPU time (steadier on
  a busy machine; on PostgreSQL it leaves out the server's share);
* peak resident memory of the child and how far the operation took it above its
  resident memory after start-up and imports;
* with ``--tracemalloc``, the peak of Python's own allocations during the operation (from
  a second run, as tracing slows it down).

Both memory figures should be the same for both lengths (memory flat in the log's length):
every operation streams a page of the log or a line of the file at a time. Checking a
file keeps one entry per stream (its last version), so its traced peak grows with the
number of streams, not of events.

Run from the repository root::

    .venv/bin/python benchmarks/audit.py                       # 100,000 and 1,000,000 on SQLite
    .venv/bin/python benchmarks/audit.py --events 100000       # 10,000 and 100,000
    .venv/bin/python benchmarks/audit.py --backends sqlite,postgresql --ops verify,export,import

PostgreSQL is read from ``--postgres-url`` (default ``$OPSLOG_TEST_DATABASE_URL``); each log
gets a schema of its own, dropped afterwards. Events are about 300 bytes of canonical JSON,
in streams of 1,000. The target is verify at 200,000 events/s or more on SQLite.

``verify`` here is `EventStore.verify`: the chain, each sealed payload against its
digests, stream versions, categories and the Merkle tree, in one pass over the log —
what ``opslog verify --chain-only`` runs. The full ``opslog verify`` also recomputes the
read models and snapshots from the log (a rebuild into a scratch database: see
``benchmarks/projections.py`` for its rate).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eventstore import ANY, EventStore, NewEvent
from eventstore.engine import normalise_url
from eventstore.export import export_log, verify_export
from eventstore.importer import import_log

OPS = ("verify", "export", "verify-export", "import")
DEFAULT_OPS = ("verify", "export", "verify-export")
STREAM_LENGTH = 1_000
COMMIT_EVENTS = 5_000
MIB = 1024 * 1024


def child(op: str, url: str, path: Path, target_url: str | None,
          trace: bool) -> dict[str, Any]:
    """Run one operation in this (fresh) process and measure it.

    With `trace`, Python's allocations are traced (slower; only the peak is reported).
    """
    before, _ = memory()
    store = EventStore.open(url)
    store.head()  # connect before the clock starts
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    if op == "verify":
        report = store.verify()
        count, ok = report.checked, report.ok
    elif op == "export":
        with path.open("wb") as target:
            count, ok = export_log(store, target).event_count, True
    elif op == "verify-export":
        with path.open("rb") as source:
            checked = verify_export(source)
        count, ok = checked.checked, checked.ok
    elif op == "import":
        assert target_url is not None
        copy = EventStore.open(target_url, create=True)
        with path.open("rb") as source:
            imported = import_log(copy, source)
        count, ok = imported.checked, copy.head() == store.head()
    else:
        raise ValueError(op)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if trace:
        return {"python_peak_mib": tracemalloc.get_traced_memory()[1] / MIB}
    _, after = memory()
    return {"op": op, "events": count, "ok": ok, "seconds": elapsed,
            "events_per_second": count / elapsed if elapsed else 0.0,
            "events_per_cpu_second": count / cpu if cpu else 0.0,
            "peak_rss_mib": after / MIB, "rss_growth_mib": (after - before) / MIB}


def memory() -> tuple[int, int]:
    """This process's resident memory now and at its peak, in bytes.

    Linux's VmHWM starts afresh at exec; ``ru_maxrss`` would carry over the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        return (int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return peak, peak


def populate(url: str, count: int) -> None:
    """`count` events through `append_many`: streams of 1,000, commits of 5,000."""
    store = EventStore.open(url, create=True)
    moment = datetime(2018, 4, 1, tzinfo=UTC)
    written = 0
    while written < count:
        batch = []
        for _ in range(COMMIT_EVENTS // STREAM_LENGTH):
            size = min(STREAM_LENGTH, count - written)
            if size == 0:
                break
            stream = f"milestone-2018-19-q1-{written // STREAM_LENGTH:07d}"
            batch.append((stream, [event(moment, written + n) for n in range(size)], ANY))
            written += size
        store.append_many(batch)
        moment += timedelta(minutes=1)
    store.close()


def already_holds(url: str, count: int) -> bool:
    """A kept SQLite log of the right length from an earlier run (``--workdir``)."""
    if not url.startswith("sqlite") or not Path(url.removeprefix("sqlite:///")).exists():
        return False
    with EventStore.open(url) as store:
        return store.head().position == count


def event(moment: datetime, n: int) -> NewEvent:
    return NewEvent(
        "MilestoneProgressReported",
        {"milestone": "Launch of the Violent Crime Task Force (VCTF)", "status": "on track",
         "quarter": "2018-19 Q1", "sequence": n, "note": "BCU South West went live in May"},
        {"actor": "performance.team", "unit": "vctf", "command_id": str(uuid.uuid4()),
         "correlation_id": str(uuid.uuid4())},
        occurred_at=moment,
    )


@contextmanager
def database(backend: str, workdir: Path, name: str, postgres_url: str | None,
             keep: bool = False) -> Iterator[str]:
    """A fresh, empty database URL for `backend`, removed afterwards (a SQLite file is
    kept, and reused next time, with `keep`)."""
    if backend == "sqlite":
        path = workdir / (name + ".db")
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    leftover.unlink(missing_ok=True)
        return
    if postgres_url is None:
        raise SystemExit("PostgreSQL needs --postgres-url or $OPSLOG_TEST_DATABASE_URL")
    url = normalise_url(postgres_url)
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        query = dict(url.query)
        query["options"] = f"-csearch_path={schema}"
        yield url.set(query=query).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def measure(op: str, url: str, path: Path, target_url: str | None,
            trace: bool = False) -> dict[str, Any]:
    """Run `op` in a child process, so each figure starts from a fresh interpreter."""
    command = [sys.executable, __file__, "--child", op, "--url", url, "--file", str(path)]
    if target_url is not None:
        command += ["--target-url", target_url]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{op} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    sizes = sorted({max(1, args.events // 10), args.events})
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="opslog-audit-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    try:
        for backend in args.backends.split(","):
            for size in sizes:
                with database(backend, workdir, f"log{size}", args.postgres_url,
                              keep=bool(args.workdir)) as url:
                    if already_holds(url, size):
                        print(f"{backend} {size:>9,} events reused", file=sys.stderr)
                    else:
                        started = time.perf_counter()
                        populate(url, size)
                        print(f"{backend} {size:>9,} events appended in "
                              f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
                    path = workdir / f"log{size}.jsonl"
                    for op in order(args.ops.split(",")):
                        with database(backend, workdir, f"copy{size}", args.postgres_url) as copy:
                            result = measure(op, url, path, copy if op == "import" else None)
                        if args.tracemalloc:
                            with database(backend, workdir, f"copy{size}",
                                          args.postgres_url) as copy:
                                result.update(measure(op, url, path,
                                                      copy if op == "import" else None, True))
                        result.update(backend=backend, size=size)
                        results.append(result)
                        print(line(result), flush=True)
                    path.unlink(missing_ok=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def order(ops: list[str]) -> list[str]:
    """Export first whenever a later operation reads the file."""
    unknown = set(ops) - set(OPS)
    if unknown:
        raise SystemExit(f"unknown --ops {sorted(unknown)}; choose from {', '.join(OPS)}")
    needs_file = {"verify-export", "import"} & set(ops)
    wanted = set(ops) | ({"export"} if needs_file else set())
    return [op for op in OPS if op in wanted]


def line(result: dict[str, Any]) -> str:
    traced = result.get("python_peak_mib")
    return (f"{result['backend']:<10} {result['size']:>9,} {result['op']:<13} "
            f"{result['events_per_second']:>9,.0f} events/s {result['seconds']:>6.2f}s "
            f"({result['events_per_cpu_second']:>9,.0f} per CPU s)  "
            f"peak RSS {result['peak_rss_mib']:>6.1f} MiB (+{result['rss_growth_mib']:.1f})"
            + (f"  traced peak {traced:.2f} MiB" if traced is not None else "")
            + ("" if result["ok"] else "  NOT OK"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="the longer log (the shorter is a tenth of it)")
    parser.add_argument("--backends", default="sqlite", help="sqlite,postgresql")
    parser.add_argument("--ops", default=",".join(DEFAULT_OPS), help=",".join(OPS))
    parser.add_argument("--postgres-url", default=os.environ.get("OPSLOG_TEST_DATABASE_URL"))
    parser.add_argument("--workdir",
                        help="keep the SQLite logs here and reuse them (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="run each operation again under tracemalloc for its Python peak")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--target-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.file, args.target_url, args.trace)))
        return
    print(f"python {platform.python_version()} on {platform.platform()}, "
          f"{os.cpu_count()} CPUs", file=sys.stderr)
    results = run(args)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
