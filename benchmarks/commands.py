"""End-to-end command throughput: validate, check rules and permissions, append, answer.

Not a test. It measures, on SQLite and on PostgreSQL, commands per second for one
workload file of milestone-progress and operational-update commands (half each, every
update with three facts), on a database that already holds the plan they refer to:

* ``api``         the Python API, one `CommandService` submitting the file's commands one
                  by one (each its own commit, its own idempotency check), JSON parsing
                  included;
* ``cli``         ``opslog submit FILE`` as a real process on the same file: interpreter
                  start, imports and catching up the plan included;
* ``cli_single``  ``opslog submit`` run once per command (a sample of them): what a unit
                  pays to send one command at a time from a shell;
* ``floor``       the raw driver committing one row per command (the size of a command's
                  event with its envelope) at the store's durability: on SQLite WAL with
                  ``synchronous = FULL``, ``BEGIN IMMEDIATE``, INSERT, COMMIT; on
                  PostgreSQL one autocommit INSERT. What the disk and the server allow
                  one writer, with nothing of the store around it.

Run from the repository root::

    .venv/bin/python benchmarks/commands.py --json out/bench-commands.json
    .venv/bin/python benchmarks/commands.py --commands 2000 --backends sqlite     # quick

Targets (issue 16): at least 2,000 commands/s through the API on SQLite and 1,000 on
PostgreSQL, and the CLI within 2× of the API on the same file. (At most four round trips
per command on PostgreSQL is a test: ``tests/commands/test_round_trips.py``.) Repeated
measurements report the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # run as a script, this file would shadow the `commands` package

from commands.files import read_commands
from commands.identity import direct, make_first_admin
from commands.service import CommandService
from eventstore import EventStore
from eventstore.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_SYNCHRONOUS

BACKENDS = ("sqlite", "postgresql")
MEASURES = ("api", "cli", "cli_single", "floor")
UNITS = 12
MILESTONES_PER_UNIT = 40
ADMIN, PERFORMANCE = "bench.admin", "bench.performance"
STATUSES = ("on_track", "some_delay")
KINDS = ("operation_outcome", "campaign_launched", "exercise_held", "service_launched")
NARRATIVE = (
    "Officers carried out a proactive operation with partners across the borough, "
    "targeting the offenders who cause most harm. "
) * 3


# -- the workload --------------------------------------------------------------------------


def envelope(name: str, command_id: str, who: str, /, **data: Any) -> dict[str, Any]:
    return {"command": name, "id": command_id, "actor": who, "data": data}


def plan() -> list[dict[str, Any]]:
    """A theme and topic, the units with recorders, and their milestones (the admin is
    the operator's to make: `setup`)."""
    commands = [
        envelope("DefineTheme", "setup/theme", ADMIN, number=2, title="Tackling serious violence"),
        envelope("DefineTopic", "setup/topic", ADMIN, topic_id="violent-crime", theme=2,
                 title="Violent crime"),
        envelope("GrantRole", "setup/performance", ADMIN, actor=PERFORMANCE, role="performance"),
    ]
    for unit in range(UNITS):
        unit_id = f"unit-{unit:02d}"
        commands.append(envelope("RegisterUnit", f"setup/{unit_id}", ADMIN, unit_id=unit_id,
                                 name=f"Unit {unit}", kind="command"))
        commands.append(envelope("GrantRole", f"setup/recorder-{unit_id}", ADMIN,
                                 actor=f"recorder.{unit_id}", role="recorder", unit_id=unit_id))
        for number in range(MILESTONES_PER_UNIT):
            commands.append(envelope(
                "ScheduleMilestone", f"setup/milestone-{unit_id}-{number}", PERFORMANCE,
                milestone_id=f"m-{unit_id}-{number:03d}", title=f"Milestone {number}",
                topic_id="violent-crime", due_quarter="2018-19-Q4", owner_unit=unit_id))
    return commands


def workload(count: int) -> list[dict[str, Any]]:
    """`count` commands: progress reports and updates, alternating, spread over the units."""
    commands = []
    first_day = date(2018, 4, 1)
    for index in range(count):
        unit_id = f"unit-{index % UNITS:02d}"
        actor = f"recorder.{unit_id}"
        day = first_day + timedelta(days=index % 360)
        quarter = f"2018-19-Q{((day.month - 4) % 12) // 3 + 1}"
        if index % 2 == 0:
            milestone = f"m-{unit_id}-{(index // UNITS) % MILESTONES_PER_UNIT:03d}"
            commands.append(envelope(
                "ReportMilestoneProgress", f"work/{index}", actor, milestone_id=milestone,
                quarter=quarter, status=STATUSES[index % 3 % 2], narrative=NARRATIVE,
                as_of=day.isoformat()))
        else:
            commands.append(envelope(
                "RecordOperationalUpdate", f"work/{index}", actor, update_id=f"u-{index}",
                topic_id="violent-crime", unit_id=unit_id, kind=KINDS[index % len(KINDS)],
                title=f"Operation {index}", effective_date=day.isoformat(),
                narrative=NARRATIVE, facts=[
                    {"name": "arrests", "kind": "count", "value": index % 50},
                    {"name": "seized", "kind": "money", "value": f"{index * 10}.50"},
                    {"name": "detection rate", "kind": "percent", "value": "37.5"},
                ]))
    return commands


# -- databases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Databases:
    workdir: Path
    pg_url: str
    pg_admin_url: str

    def fresh(self, backend: str, name: str) -> str:
        """The URL of an empty database for one measurement."""
        if backend == "sqlite":
            path = self.workdir / f"{name}.db"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        schema = f"bench_{name}"
        with psycopg.connect(self.pg_url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        separator = "&" if "?" in self.pg_url else "?"
        return f"{self.pg_url}{separator}options=-csearch_path%3D{schema}"

    def ensure_postgres(self) -> str:
        dbname = self.pg_url.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(self.pg_admin_url, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (dbname,)).fetchone() is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            row = connection.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"


def prepared(url: str) -> None:
    """Migrate `url` and record the plan (untimed)."""
    with EventStore.open(url, create=True) as store:
        make_first_admin(store, ADMIN, direct())
        service = CommandService(store)
        for item in plan():
            outcome = service.submit(item)
            if not outcome.accepted:
                raise SystemExit(f"setup refused: {outcome.describe()}")


# -- measurements ------------------------------------------------------------------------


def measure_api(url: str, text: str) -> float:
    """Commands/s through `CommandService`, parsing the file's lines as the CLI does."""
    with EventStore.open(url) as store:
        service = CommandService(store)
        service.catch_up()
        started = time.perf_counter()
        count = 0
        for _line, item in read_commands(text):
            assert isinstance(item, dict)
            outcome = service.submit(item)
            if not outcome.accepted:
                raise SystemExit(f"refused: {outcome.describe()}")
            count += 1
        return count / (time.perf_counter() - started)


def opslog() -> str:
    return str(Path(sys.executable).with_name("opslog"))


def measure_cli(url: str, path: Path, count: int) -> float:
    """Commands/s for one `opslog submit FILE` process, start to exit."""
    started = time.perf_counter()
    done = subprocess.run([opslog(), "--db", url, "submit", str(path)], capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"opslog submit failed: {done.stderr or done.stdout[-500:]}")
    return count / elapsed


def measure_cli_single(url: str, commands: Sequence[dict[str, Any]]) -> float:
    """Commands/s when each command is its own `opslog submit -` process."""
    started = time.perf_counter()
    for item in commands:
        done = subprocess.run([opslog(), "--db", url, "submit", "-"], input=json.dumps(item),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"opslog submit failed: {done.stdout or done.stderr}")
    return len(commands) / (time.perf_counter() - started)


FLOOR_ROW = "x" * 1500
"""About the stored size of one command's event: payload, metadata, digests, salts, hashes."""


def measure_floor(url: str, count: int) -> float:
    """Commands/s if each command were one row committed by the bare driver."""
    if url.startswith("sqlite:///"):
        lite = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            lite.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            lite.execute("PRAGMA journal_mode = WAL")
            lite.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
            lite.execute("CREATE TABLE floor_commits (id INTEGER PRIMARY KEY, body TEXT)")
            started = time.perf_counter()
            for index in range(count):
                lite.execute("BEGIN IMMEDIATE")
                lite.execute("INSERT INTO floor_commits VALUES (?, ?)", (index, FLOOR_ROW))
                lite.execute("COMMIT")
            return count / (time.perf_counter() - started)
        finally:
            lite.close()
    parsed = sa.make_url(url)
    options = parsed.query.get("options")
    conninfo = parsed.set(drivername="postgresql", query={}).render_as_string(
        hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, options=str(options or "")) as connection:
        connection.execute("CREATE TABLE floor_commits (id bigint PRIMARY KEY, body text)")
        started = time.perf_counter()
        for index in range(count):
            connection.execute("INSERT INTO floor_commits VALUES (%s, %s)", (index, FLOOR_ROW))
        return count / (time.perf_counter() - started)


# -- reporting -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {name: importlib_metadata.version(name)
                for name in ("SQLAlchemy", "psycopg", "marshmallow")}
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, **versions}


API_TARGETS = {"sqlite": 2000, "postgresql": 1000}
"""Commands per second through `CommandService` (issue 16)."""


def targets(flat: dict[str, float], backends: Sequence[str], count: int) -> dict[str, Any]:
    """The issue's targets, and whether this run met them."""
    found: dict[str, Any] = {}
    for backend, least in API_TARGETS.items():
        api = flat.get(f"{backend}.api.{count}")
        if backend in backends and api is not None:
            found[f"{backend}.api >= {least}/s"] = api >= least
    for backend in backends:
        api, floor = flat.get(f"{backend}.api.{count}"), flat.get(f"{backend}.floor.{count}")
        if api and floor:
            flat[f"{backend}.api_vs_floor.{count}"] = round(api / floor, 3)
    for backend in backends:
        api, cli = flat.get(f"{backend}.api.{count}"), flat.get(f"{backend}.cli.{count}")
        if api and cli:
            flat[f"{backend}.cli_vs_api.{count}"] = round(cli / api, 3)
            found[f"{backend}.cli within 2x of api"] = cli * 2 >= api
    return found


def print_table(flat: dict[str, float], backends: Sequence[str], count: int,
                single: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Commands per second (medians; file of {count:,} commands)")
    for column in ("backend", "api", "floor", "api ÷ floor", "cli", "cli ÷ api",
                   f"cli_single ({single})"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    def cell(name: str, ratio: bool = False) -> str:
        value = flat.get(name)
        if value is None:
            return "–"
        if ratio or value < 10:
            return f"{value:.2f}"
        return f"{value:,.0f}"

    for backend in backends:
        table.add_row(backend, cell(f"{backend}.api.{count}"), cell(f"{backend}.floor.{count}"),
                      cell(f"{backend}.api_vs_floor.{count}", ratio=True),
                      cell(f"{backend}.cli.{count}"),
                      cell(f"{backend}.cli_vs_api.{count}", ratio=True),
                      cell(f"{backend}.cli_single.{count}"))
    Console().print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--commands", type=int, default=10_000,
                        help="commands in the workload file (default 10000)")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="sqlite,postgresql (default both)")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help="api,cli,cli_single,floor (default all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument("--single", type=int, default=30,
                        help="commands sent one process each for cli_single (default 30)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="directory for SQLite files and the workload (default: temporary)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "OPSLOG_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/opslog_bench"),
        help="PostgreSQL database for the runs (created if missing; a schema per run)")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1/postgres",
                        help="where to create the PostgreSQL database if it is missing")
    args = parser.parse_args(argv)
    backends = [name for name in args.backends.split(",") if name]
    measures = [name for name in args.measures.split(",") if name]
    for name in backends:
        if name not in BACKENDS:
            parser.error(f"unknown backend {name!r}")
    for name in measures:
        if name not in MEASURES:
            parser.error(f"unknown measure {name!r}")

    info = machine()
    count = args.commands
    commands = workload(count)
    text = "".join(json.dumps(item) + "\n" for item in commands)
    samples: dict[str, list[float]] = {}
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="opslog-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / "workload.jsonl"
        path.write_text(text, encoding="utf-8")
        databases = Databases(workdir, args.pg_url, args.pg_admin_url)
        if "postgresql" in backends:
            info["postgresql"] = databases.ensure_postgres()
        runs: dict[str, Callable[[str], float]] = {
            "api": lambda url: measure_api(url, text),
            "cli": lambda url: measure_cli(url, path, count),
            "cli_single": lambda url: measure_cli_single(url, commands[: args.single]),
            "floor": lambda url: measure_floor(url, count),
        }
        for backend in backends:
            for measure in measures:
                for attempt in range(args.repeat):
                    url = databases.fresh(backend, f"{measure}_{attempt}")
                    if measure != "floor":
                        prepared(url)
                    rate = runs[measure](url)
                    samples.setdefault(f"{backend}.{measure}.{count}", []).append(rate)
                    print(f"[{time.perf_counter() - started:6.1f}s] {backend} {measure} "
                          f"run {attempt + 1}: {rate:,.0f} commands/s", flush=True)
    flat = {name: round(statistics.median(values), 2) for name, values in samples.items()}
    met = targets(flat, backends, count)
    print_table(flat, backends, count, args.single)
    print(f"{info}\ntargets: {met}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = dict(flat)
        document["_meta"] = {
            **info,
            "command": " ".join(shlex.quote(part)
                                for part in [Path(sys.executable).name, *sys.argv]),
            "commands": count,
            "single": args.single,
            "repeat": args.repeat,
            "seconds": round(time.perf_counter() - started),
            "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            "targets": met,
        }
        document["_samples"] = {name: [round(value, 2) for value in values]
                                for name, values in samples.items()}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
