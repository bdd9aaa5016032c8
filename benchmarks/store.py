"""Event store throughput against its floor and against the `eventsourcing` library.

Not a test. It measures, on SQLite and on PostgreSQL, with the same rows for every system:

* ``append_1``     appending with one event per commit;
* ``append_100``   appending with 100 events per commit (one stream per commit);
* ``read_all``     reading the whole log from position 1 (pages of 2,000);
* ``read_stream``  reading one 1,000-event stream (five of them, spread over the log).

The systems, each on its own new database, in the same process:

* ``store``          this project's `EventStore`, through its public API;
* ``floor``          plain `sqlite3` / `psycopg` on a table shaped like the store's ``events``
                     table (same columns, constraints and indexes, same connection settings,
                     the store's ``synchronous`` setting on SQLite),
                     every value precomputed: no lock, no head or version read, no hashing,
                     no validation. One-event commits are single autocommit INSERTs on
                     PostgreSQL; 100-event commits are one transaction of ``executemany``;
* ``eventsourcing``  the `eventsourcing` library's own application recorders
                     (`SQLiteApplicationRecorder` on a file, `PostgresApplicationRecorder`),
                     used directly with their defaults except, on SQLite, ``PRAGMA
                     synchronous`` set to the store's; reads are ``select_notifications``
                     in pages of 2,000 and ``select_events``.

Every system runs at equal durability: on SQLite each connection gets the store's
``synchronous`` setting (`eventstore.engine.SQLITE_SYNCHRONOUS`, FULL: the WAL is synced at
every commit), and the output says which; PostgreSQL runs with the server's settings.

The machine may be shared, so the systems take turns: appends run in alternating chunks
(a twentieth of the commits at a time) and reads alternate pass by pass. Ratios are the
medians of the ratios of samples taken in the same turn. PostgreSQL tables are ANALYZEd
after they are filled and before they are read, as autovacuum would have done on a live
database. At sizes above ``--single-sample`` the one-event commits timed are the last
ones: the log is first filled to the size less the sample in 100-event commits.

Run from the repository root::

    .venv/bin/python benchmarks/store.py --json out/bench-store.json --markdown out/bench-store.md
    .venv/bin/python benchmarks/store.py --sizes 10000 --backends sqlite     # quick

Each event is about 300 bytes of canonical JSON (data plus metadata). Streams hold 1,000
events each. Figures are events per second; repeated measurements report the median.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Protocol

import psycopg
import sqlalchemy as sa
from psycopg import sql
from uuid_utils import uuid7

from eventstore import EventStore, NewEvent
from eventstore.canonical import canonical_json
from eventstore.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_SYNCHRONOUS
from eventstore.reader import PAGE_SIZE
from eventstore.tables import events as events_table

BACKENDS = ("sqlite", "postgresql")
SYSTEMS = ("store", "floor", "eventsourcing")
OPERATIONS = ("append_1", "append_100", "read_all", "read_stream")
STREAM_LENGTH = 1_000
BATCH = 100
READ_PASSES = 3
READ_STREAMS = 5

# Targets: the store's events/s as a ratio to eventsourcing's, measured in the same run.
TARGETS: dict[tuple[str, str], float] = {
    ("postgresql", "append_1"): 1.0,
    ("postgresql", "append_100"): 1.0,
    ("sqlite", "append_1"): 1.0,
    ("sqlite", "append_100"): 1.0,
    ("sqlite", "read_all"): 1.5,
    ("postgresql", "read_all"): 1.5,
}
"""Ratios to eventsourcing at equal durability (appends: issue 16)."""
FLOOR_TARGETS: dict[tuple[str, str], float] = {
    ("postgresql", "append_100"): 0.6,
    ("sqlite", "append_100"): 0.6,
}
"""Ratios to the floor (the raw driver on the same rows)."""
ABSOLUTE_TARGETS: dict[tuple[str, str], float] = {("sqlite", "read_all"): 200_000}

TYPES = ("MilestoneUpdated", "RiskRaised", "TargetSet", "UnitWentLive")
STATUSES = ("on track", "at risk", "off track", "complete", "not started")
UNITS = ("south-west", "north-east", "central-south", "east", "west", "north-west")
WORDS = (
    "custody", "response", "neighbourhood", "borough", "milestone", "review", "estate",
    "training", "recruitment", "budget", "savings", "delivery", "digital", "partnership",
    "victims", "safeguarding", "patrol", "contact", "centre", "officers", "staff", "plan",
)


# -- the rows every system writes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One event, in every shape the systems need, built before any timing starts."""

    position: int
    stream_id: str
    version: int
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    data_json: str
    metadata_json: str
    event_id: str
    state: bytes  # eventsourcing's payload: the same data and metadata as one JSON document


def make_rows(count: int, seed: int = 20181) -> list[Row]:
    """`count` events in streams of `STREAM_LENGTH`, about 300 bytes of JSON each."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for index in range(count):
        stream = index // STREAM_LENGTH
        note_words: list[str] = []
        while sum(len(word) + 1 for word in note_words) < 60:
            note_words.append(rng.choice(WORDS))
        data = {
            "milestone": f"milestone-2018-19-q{stream % 4 + 1}-{stream:05d}",
            "unit": f"bcu-{rng.choice(UNITS)}",
            "status": rng.choice(STATUSES),
            "owner": f"user-{rng.randrange(1000):03d}",
            "due": f"2019-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "amount": f"£{rng.randrange(1, 900)}k",
            "note": " ".join(note_words),
        }
        metadata = {
            "actor": f"user-{rng.randrange(1000):03d}",
            "command": "UpdateMilestone",
            "correlation_id": f"{rng.getrandbits(64):016x}",
        }
        data_json = canonical_json(data)
        metadata_json = canonical_json(metadata)
        rows.append(
            Row(
                position=index + 1,
                stream_id=f"milestone-{stream:05d}",
                version=index % STREAM_LENGTH + 1,
                type=TYPES[index % len(TYPES)],
                data=data,
                metadata=metadata,
                data_json=data_json,
                metadata_json=metadata_json,
                # Time-ordered, as the store makes them (UUIDv7): the floor's unique index
                # on event ids takes its inserts at the same edge as the store's.
                event_id=str(uuid7()),
                state=canonical_json({"data": data, "metadata": metadata}).encode("utf-8"),
            )
        )
    return rows


def batches(rows: Sequence[Row], size: int) -> list[Sequence[Row]]:
    """Consecutive runs of `size` rows; with streams of 1,000 a run never spans two streams."""
    return [rows[start : start + size] for start in range(0, len(rows), size)]


# -- configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    workdir: Path
    pg_host: str
    pg_port: int
    pg_user: str
    pg_password: str
    pg_store_db: str
    pg_es_db: str

    def conninfo(self, dbname: str, schema: str | None = None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "host": self.pg_host,
            "port": self.pg_port,
            "user": self.pg_user,
            "password": self.pg_password,
            "dbname": dbname,
        }
        if schema is not None:
            info["options"] = f"-csearch_path={schema}"
        return info

    def store_url(self, schema: str) -> sa.URL:
        return sa.URL.create(
            "postgresql+psycopg",
            username=self.pg_user,
            password=self.pg_password or None,
            host=self.pg_host,
            port=self.pg_port,
            database=self.pg_store_db,
            query={"options": f"-csearch_path={schema}"},
        )


def ensure_pg_databases(config: Config) -> None:
    with psycopg.connect(**config.conninfo("postgres"), autocommit=True) as connection:
        for name in (config.pg_store_db, config.pg_es_db):
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if found is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def fresh_pg_schema(config: Config, dbname: str, schema: str) -> None:
    with psycopg.connect(**config.conninfo(dbname), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
            sql.Identifier(schema)))
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def fresh_sqlite_path(config: Config, name: str) -> Path:
    path = config.workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# -- the systems -----------------------------------------------------------------------


class System(Protocol):
    def append(self, batch: Any) -> None: ...
    def analyze(self) -> None: ...
    def prepare(self, rows: Sequence[Row], size: int) -> list[Any]: ...
    def read_all(self) -> int: ...
    def read_stream(self, stream_id: str) -> int: ...
    def close(self) -> None: ...


class StoreSystem:
    """This project's EventStore, through its public API."""

    def __init__(self, config: Config, backend: str) -> None:
        if backend == "sqlite":
            path = fresh_sqlite_path(config, "store")
            self.store = EventStore.open(f"sqlite:///{path}", create=True)
        else:
            fresh_pg_schema(config, config.pg_store_db, "bench_store")
            self.store = EventStore.open(config.store_url("bench_store"), create=True)

    def prepare(self, rows: Sequence[Row], size: int) -> list[Any]:
        return [
            (run[0].stream_id, [NewEvent(row.type, row.data, row.metadata) for row in run],
             run[0].version - 1)
            for run in batches(rows, size)
        ]

    def append(self, batch: Any) -> None:
        stream_id, new_events, expected = batch
        self.store.append(stream_id, new_events, expected)

    def read_all(self) -> int:
        count = 0
        for _ in self.store.read_all():
            count += 1
        return count

    def read_stream(self, stream_id: str) -> int:
        return len(self.store.read_stream(stream_id))

    def head(self) -> int:
        return self.store.head().position

    def analyze(self) -> None:
        if self.store.dialect == "postgresql":
            with self.store.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE events")

    def close(self) -> None:
        self.store.close()


FLOOR_COLUMNS = ("position", "event_id", "stream_id", "category", "version", "type",
                 "schema_version", "data", "metadata", "occurred_at", "recorded_at",
                 "prev_hash", "hash")
FLOOR_SELECT = (
    "SELECT position, event_id, stream_id, version, type, schema_version, data, metadata, "
    "occurred_at, recorded_at, prev_hash, hash FROM events"
)


class FloorSystem:
    """Plain driver inserts of precomputed rows into a table shaped like the store's."""

    def __init__(self, config: Config, backend: str) -> None:
        self.backend = backend
        self.base_time = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        if backend == "sqlite":
            path = fresh_sqlite_path(config, "floor")
            self._create_table(sa.create_engine(f"sqlite:///{path}"))
            self.lite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            # The store's connection settings (eventstore.engine).
            self.lite.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            self.lite.execute("PRAGMA journal_mode = WAL")
            self.lite.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
            self.lite.execute("PRAGMA foreign_keys = ON")
            self.insert = (f"INSERT INTO events ({', '.join(FLOOR_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(FLOOR_COLUMNS))})")
        else:
            fresh_pg_schema(config, config.pg_store_db, "bench_floor")
            url = config.store_url("bench_floor")
            self._create_table(sa.create_engine(url))
            self.pg = psycopg.connect(
                **config.conninfo(config.pg_store_db, "bench_floor"), autocommit=True
            )
            self.insert = (f"INSERT INTO events ({', '.join(FLOOR_COLUMNS)}) "
                           f"VALUES ({', '.join(['%s'] * len(FLOOR_COLUMNS))})")

    @staticmethod
    def _create_table(engine: sa.Engine) -> None:
        metadata = sa.MetaData()
        events_table.to_metadata(metadata)
        metadata.create_all(engine)
        engine.dispose()

    def _values(self, row: Row) -> tuple[Any, ...]:
        moment = self.base_time + timedelta(milliseconds=row.position)
        # SQLite: the text `tables.UTCDateTime` stores; PostgreSQL: an aware datetime.
        stamp: Any = moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.backend == "sqlite" \
            else moment
        digest = hashlib.sha256(str(row.position).encode()).hexdigest()
        return (row.position, row.event_id, row.stream_id, row.stream_id.split("-", 1)[0],
                row.version, row.type, 1, row.data_json, row.metadata_json, stamp, stamp,
                digest, digest)

    def prepare(self, rows: Sequence[Row], size: int) -> list[Any]:
        return [[self._values(row) for row in run] for run in batches(rows, size)]

    def append(self, batch: Any) -> None:
        if self.backend == "sqlite":
            lite = self.lite
            lite.execute("BEGIN IMMEDIATE")
            lite.executemany(self.insert, batch)
            lite.execute("COMMIT")
        elif len(batch) == 1:
            # One statement in autocommit mode: one round trip, its own transaction.
            self.pg.execute(self.insert, batch[0])
        else:
            # BEGIN, the rows (executemany pipelines them), COMMIT.
            with self.pg.transaction(), self.pg.cursor() as cursor:
                cursor.executemany(self.insert, batch)

    def analyze(self) -> None:
        if self.backend == "postgresql":
            self.pg.execute("ANALYZE events")

    def read_all(self) -> int:
        count = 0
        position = 0
        query = f"{FLOOR_SELECT} WHERE position > ? ORDER BY position LIMIT ?"
        while True:
            if self.backend == "sqlite":
                self.lite.execute("BEGIN")
                page = self.lite.execute(query, (position, PAGE_SIZE)).fetchall()
                self.lite.execute("COMMIT")
            else:
                cursor = self.pg.cursor(binary=True)
                page = cursor.execute(query.replace("?", "%s"), (position, PAGE_SIZE)).fetchall()
            count += len(page)
            if len(page) < PAGE_SIZE:
                return count
            position = page[-1][0]

    def read_stream(self, stream_id: str) -> int:
        query = f"{FLOOR_SELECT} WHERE stream_id = ? ORDER BY version"
        if self.backend == "sqlite":
            return len(self.lite.execute(query, (stream_id,)).fetchall())
        cursor = self.pg.cursor(binary=True)
        return len(cursor.execute(query.replace("?", "%s"), (stream_id,)).fetchall())

    def close(self) -> None:
        if self.backend == "sqlite":
            self.lite.close()
        else:
            self.pg.close()


class EventsourcingSystem:
    """The eventsourcing library's application recorders, used directly.

    On SQLite its connections get the store's ``synchronous`` setting, so that both
    acknowledge a commit only once it is equally durable.
    """

    def __init__(self, config: Config, backend: str,
                 synchronous: str = SQLITE_SYNCHRONOUS) -> None:
        from eventsourcing.persistence import StoredEvent

        self.stored_event = StoredEvent
        self.backend = backend
        self.datastore: Any
        self.recorder: Any
        if backend == "sqlite":
            from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

            path = fresh_sqlite_path(config, "eventsourcing")
            self.datastore = SQLiteDatastore(str(path), originator_id_type="text")
            pool = self.datastore.pool
            create = pool._create_connection

            def create_with_pragma() -> Any:
                connection = create()
                connection._sqlite_conn.execute(f"PRAGMA synchronous = {synchronous}")
                return connection

            pool._create_connection = create_with_pragma
            self.recorder = SQLiteApplicationRecorder(self.datastore)
        else:
            from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

            fresh_pg_schema(config, config.pg_es_db, "bench_es")
            self.datastore = PostgresDatastore(
                dbname=config.pg_es_db,
                host=config.pg_host,
                port=config.pg_port,
                user=config.pg_user,
                password=config.pg_password,
                schema="bench_es",
                originator_id_type="text",
            )
            self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()

    def prepare(self, rows: Sequence[Row], size: int) -> list[Any]:
        stored = self.stored_event
        return [
            [stored(originator_id=row.stream_id, originator_version=row.version,
                    topic=row.type, state=row.state) for row in run]
            for run in batches(rows, size)
        ]

    def append(self, batch: Any) -> None:
        self.recorder.insert_events(batch)

    def analyze(self) -> None:
        if self.backend == "postgresql":
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute("ANALYZE bench_es.stored_events")

    def read_all(self) -> int:
        count = 0
        start = 1
        while True:
            page = self.recorder.select_notifications(start, PAGE_SIZE)
            count += len(page)
            if len(page) < PAGE_SIZE:
                return count
            start = page[-1].id + 1

    def read_stream(self, stream_id: str) -> int:
        return len(self.recorder.select_events(stream_id))

    def close(self) -> None:
        self.datastore.close()


FACTORIES: dict[str, Callable[[Config, str], System]] = {
    "store": StoreSystem,
    "floor": FloorSystem,
    "eventsourcing": EventsourcingSystem,
}


# -- measuring -------------------------------------------------------------------------


def run_appends(system: System, prepared: Sequence[Any]) -> None:
    append = system.append
    for batch in prepared:
        append(batch)


def rotated(names: Sequence[str], turn: int) -> list[str]:
    """`names` starting at a different one each turn, so no system always goes first."""
    shift = turn % len(names)
    return [*names[shift:], *names[:shift]]


def interleaved_appends(opened: dict[str, System], prepared: dict[str, list[Any]],
                        chunks: int = 20) -> dict[str, float]:
    """Seconds each system spent on its commits, run in alternating chunks.

    The machine is shared: load comes and goes. Taking turns every few hundred commits
    puts the systems under the same conditions, so their ratio means something.
    """
    names = list(opened)
    commits = len(prepared[names[0]])
    step = max(1, -(-commits // chunks))
    spent = dict.fromkeys(names, 0.0)
    for turn, start in enumerate(range(0, commits, step)):
        for name in rotated(names, turn):
            system, chunk = opened[name], prepared[name][start : start + step]
            gc.collect()
            started = time.perf_counter()
            run_appends(system, chunk)
            spent[name] += time.perf_counter() - started
    return spent


def time_read_all(system: System) -> tuple[float, int]:
    gc.collect()
    started = time.perf_counter()
    count = system.read_all()
    return time.perf_counter() - started, count


def time_read_streams(system: System, stream_ids: Sequence[str]) -> tuple[float, list[int]]:
    gc.collect()
    started = time.perf_counter()
    counts = [system.read_stream(stream_id) for stream_id in stream_ids]
    return time.perf_counter() - started, counts


@dataclass
class Results:
    """Events/s samples per (backend, system, size, operation); the n-th sample of every
    system was taken in the same turn, so ratios pair them up."""

    samples: dict[tuple[str, str, int, str], list[float]] = field(default_factory=dict)

    def add(self, backend: str, system: str, size: int, operation: str, value: float) -> None:
        self.samples.setdefault((backend, system, size, operation), []).append(value)

    def median(self, backend: str, system: str, size: int, operation: str) -> float | None:
        values = self.samples.get((backend, system, size, operation))
        return statistics.median(values) if values else None

    def ratio(self, backend: str, size: int, operation: str, other: str) -> float | None:
        """The median over paired samples of store / `other`."""
        mine = self.samples.get((backend, "store", size, operation))
        theirs = self.samples.get((backend, other, size, operation))
        if not mine or not theirs or len(mine) != len(theirs):
            return None
        return statistics.median(a / b for a, b in zip(mine, theirs, strict=True))


def open_systems(names: Sequence[str], config: Config, backend: str) -> dict[str, System]:
    opened: dict[str, System] = {}
    try:
        for name in names:
            opened[name] = FACTORIES[name](config, backend)
    except BaseException:
        close_systems(opened)
        raise
    return opened


def close_systems(opened: dict[str, System]) -> None:
    for system in opened.values():
        system.close()


def measure_size(
    backend: str,
    size: int,
    repeats: int,
    single_sample: int,
    systems: Sequence[str],
    config: Config,
    results: Results,
    log: Callable[[str], None],
) -> None:
    rows = make_rows(size)
    stream_count = size // STREAM_LENGTH
    read_streams = [f"milestone-{stream:05d}" for stream in
                    sorted({stream_count * k // READ_STREAMS for k in range(READ_STREAMS)})]
    timed_singles = size if single_sample <= 0 else min(size, single_sample)
    fill_rows, single_rows = rows[: size - timed_singles], rows[size - timed_singles :]
    for repeat in range(repeats):
        # 100 events per commit, then the reads on the logs that built.
        opened = open_systems(systems, config, backend)
        try:
            prepared = {name: system.prepare(rows, BATCH) for name, system in opened.items()}
            spent = interleaved_appends(opened, prepared)
            del prepared
            for name, system in opened.items():
                results.add(backend, name, size, "append_100", size / spent[name])
                _check_count(system, size)
                system.analyze()
            for turn in range(READ_PASSES):
                for name in rotated(list(opened), turn + repeat):
                    system = opened[name]
                    seconds, count = time_read_all(system)
                    assert count == size, (name, count, size)
                    results.add(backend, name, size, "read_all", size / seconds)
                    seconds, counts = time_read_streams(system, read_streams)
                    assert counts == [STREAM_LENGTH] * len(read_streams), (name, counts)
                    results.add(backend, name, size, "read_stream", sum(counts) / seconds)
        finally:
            close_systems(opened)
        # One event per commit, on new logs; a large log is first filled in batches.
        opened = open_systems(systems, config, backend)
        try:
            if fill_rows:
                for system in opened.values():
                    run_appends(system, system.prepare(fill_rows, BATCH))
                    system.analyze()
            prepared = {name: system.prepare(single_rows, 1) for name, system in opened.items()}
            spent = interleaved_appends(opened, prepared)
            del prepared
            for name, system in opened.items():
                results.add(backend, name, size, "append_1", len(single_rows) / spent[name])
                _check_count(system, size)
        finally:
            close_systems(opened)
        for name in systems:
            log(
                f"{backend} {size:>7} rep {repeat + 1}/{repeats} {name:<13} "
                + "  ".join(
                    f"{op} {results.samples[(backend, name, size, op)][-1]:>9,.0f}"
                    for op in OPERATIONS
                )
            )


def _check_count(system: System, size: int) -> None:
    if isinstance(system, StoreSystem):
        assert system.head() == size, (system.head(), size)


# -- reporting -------------------------------------------------------------------------


def key(backend: str, operation: str, size: int) -> str:
    return f"{backend}.{operation}@{size}"


OTHERS = (("floor", "floor"), ("eventsourcing", "eventsourcing"))


def figures(results: Results, backends: Sequence[str], sizes: Sequence[int]) -> dict[str, float]:
    """The flat ``{"<backend>.<operation>@<size>[.<system>|.vs_<system>]": value}`` map:
    the store's events/s under the bare key, the others' under their suffix, and the
    store's ratio to each (the median of the ratios of paired samples)."""
    out: dict[str, float] = {}
    for backend in backends:
        for size in sizes:
            for operation in OPERATIONS:
                name = key(backend, operation, size)
                store = results.median(backend, "store", size, operation)
                if store is not None:
                    out[name] = round(store)
                for other, label in OTHERS:
                    value = results.median(backend, other, size, operation)
                    if value is not None:
                        out[f"{name}.{label}"] = round(value)
                    ratio = results.ratio(backend, size, operation, other)
                    if ratio is not None:
                        out[f"{name}.vs_{label}"] = round(ratio, 3)
    return out


def target_status(backend: str, operation: str, flat: dict[str, float],
                  size: int) -> tuple[str, bool | None]:
    """The target for one row, as text, and whether this run met it (None: no target)."""
    name = key(backend, operation, size)
    parts: list[str] = []
    met: bool | None = None
    ratio_target = TARGETS.get((backend, operation))
    if ratio_target is not None:
        parts.append(f"≥{ratio_target:g}× es")
        ratio = flat.get(f"{name}.vs_eventsourcing")
        if ratio is not None:
            met = ratio >= ratio_target
    floor_target = FLOOR_TARGETS.get((backend, operation))
    if floor_target is not None:
        parts.append(f"≥{floor_target:g}× floor")
        ratio = flat.get(f"{name}.vs_floor")
        if ratio is not None:
            met = (met is not False) and ratio >= floor_target
    absolute = ABSOLUTE_TARGETS.get((backend, operation))
    if absolute is not None:
        parts.append(f"≥{absolute:,.0f}/s")
        value = flat.get(name)
        if value is not None:
            met = (met is not False) and value >= absolute
    return ", ".join(parts), met


COLUMNS = ("backend", "events", "operation", "store", "floor", "es", "× es", "× floor",
           "target", "met")


def table_rows(flat: dict[str, float], backends: Sequence[str],
               sizes: Sequence[int]) -> list[list[str]]:
    def number(value: float | None, ratio: bool = False) -> str:
        if value is None:
            return "–"
        return f"{value:.2f}" if ratio else f"{value:,.0f}"

    rows: list[list[str]] = []
    for backend in backends:
        for size in sizes:
            for operation in OPERATIONS:
                name = key(backend, operation, size)
                if not any(k == name or k.startswith(f"{name}.") for k in flat):
                    continue
                target, met = target_status(backend, operation, flat, size)
                rows.append([
                    backend, f"{size:,}", operation,
                    number(flat.get(name)),
                    number(flat.get(f"{name}.floor")),
                    number(flat.get(f"{name}.eventsourcing")),
                    number(flat.get(f"{name}.vs_eventsourcing"), ratio=True),
                    number(flat.get(f"{name}.vs_floor"), ratio=True),
                    target,
                    "" if met is None else ("yes" if met else "no"),
                ])
    return rows


DURABILITY = (f"equal durability: on SQLite every system at synchronous={SQLITE_SYNCHRONOUS}, "
              "the store's setting")


def print_table(rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Event store throughput (events/s, medians; ratios: medians of "
                        f"paired samples; {DURABILITY})")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in
                         ("backend", "operation", "target") else "right")
    previous = None
    for row in rows:
        if previous is not None and row[:2] != previous:
            table.add_section()
        previous = row[:2]
        table.add_row(*row)
    console = Console()
    console.width = max(console.width, 150)
    console.print(table)


def markdown_table(rows: list[list[str]]) -> str:
    right = {index for index, column in enumerate(COLUMNS)
             if column not in ("backend", "operation", "target")}
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---:" if index in right else "---"
                            for index in range(len(COLUMNS))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n{DURABILITY[0].upper()}{DURABILITY[1:]}.\n"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("eventsourcing", "SQLAlchemy", "psycopg"):
        try:
            versions[package] = importlib_metadata.version(package)
        except importlib_metadata.PackageNotFoundError:
            versions[package] = "absent"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_synchronous": SQLITE_SYNCHRONOUS,
        **versions,
    }


def pg_version(config: Config) -> str:
    with psycopg.connect(**config.conninfo("postgres")) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="log sizes in events, comma-separated (default 10000,100000)")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="sqlite,postgresql (default both)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="store,floor,eventsourcing (default all)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="repetitions per size (default 3 up to 10,000 events, else 1)")
    parser.add_argument("--single-sample", type=int, default=10_000,
                        help="time at most this many one-event commits: a larger log is first "
                             "filled with 100-event commits (default 10000; 0 = time them all)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="write the table here as Markdown")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="directory for the SQLite files (default: a new temporary one)")
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--pg-password", default=os.environ.get("PGPASSWORD", ""))
    parser.add_argument("--pg-store-db", default="opslog_bench",
                        help="database for the store and the floor (created if missing)")
    parser.add_argument("--pg-es-db", default="es_bench",
                        help="database for eventsourcing (created if missing)")
    args = parser.parse_args(argv)

    sizes = [int(size) for size in args.sizes.split(",") if size]
    backends = [name for name in args.backends.split(",") if name]
    systems = [name for name in args.systems.split(",") if name]
    for name in backends:
        if name not in BACKENDS:
            parser.error(f"unknown backend {name!r}")
    for name in systems:
        if name not in SYSTEMS:
            parser.error(f"unknown system {name!r}")

    with tempfile.TemporaryDirectory(prefix="opslog-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        config = Config(workdir, args.pg_host, args.pg_port, args.pg_user, args.pg_password,
                        args.pg_store_db, args.pg_es_db)
        info = machine()
        if "postgresql" in backends:
            ensure_pg_databases(config)
            info["postgresql"] = pg_version(config)
        command = " ".join(shlex.quote(part) for part in [Path(sys.executable).name, *sys.argv])
        load_before = os.getloadavg()
        results = Results()
        started = time.perf_counter()

        def log(line: str) -> None:
            print(f"[{time.perf_counter() - started:6.1f}s] {line}", flush=True)

        for backend in backends:
            for size in sizes:
                repeats = args.repeat or (3 if size <= 10_000 else 1)
                measure_size(backend, size, repeats, args.single_sample, systems, config,
                             results, log)
        elapsed = time.perf_counter() - started
    load_after = os.getloadavg()

    flat = figures(results, backends, sizes)
    rows = table_rows(flat, backends, sizes)
    print_table(rows)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown_table(rows))
    print(f"{DURABILITY}\n{info}\nload average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after; {elapsed:.0f}s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = dict(flat)
        document["_meta"] = {
            **info,
            "command": command,
            "sizes": sizes,
            "seconds": round(elapsed),
            "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
            "single_sample": args.single_sample,
            "targets": {
                key(backend, operation, size): target_status(backend, operation, flat, size)
                for backend in backends for size in sizes for operation in OPERATIONS
                if (backend, operation) in TARGETS or (backend, operation) in ABSOLUTE_TARGETS
            },
        }
        document["_samples"] = {
            f"{key(backend, operation, size)}.{system}": [round(value) for value in values]
            for (backend, system, size, operation), values in results.samples.items()
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
