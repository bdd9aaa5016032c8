"""Beyond one machine: the primary's commit rate, the NATS relay, a consumer's latency, and
reports served from a hot standby while the primary takes writes.

Not a test. On one PostgreSQL primary (a fresh schema in ``--postgres-url``, default
``$OPSLOG_TEST_DATABASE_URL``) holding the plan of ``benchmarks/commands.py`` (12 units,
480 milestones), with its standby (``--standby-url``, default ``$OPSLOG_TEST_STANDBY_URL``,
the same database name) and a NATS server with JetStream (``--nats-url``):

* ``commit``   W writer processes submit progress reports and operational updates through
               the command layer as fast as they can: commands/s and events/s, the
               primary's ceiling for this workload;
* ``standby``  W writers at full speed on the primary (the read models kept current as the
               scheduler would) while this process asks the standby for the 2018-19 Q1
               report over and over: reports/s, p50/p99, and the standby's lag behind the
               primary in positions (sampled at each report);
* ``raw``      W processes of bare one-event store appends: the log's own ceiling, below
               the command layer;
* ``relay``    the relay publishes the whole log (with ``--backlog`` more events) to a fresh
               JetStream stream: events/s, each acknowledged at sequence = position;
* ``latency``  relay and consumer running (each its own process, the consumer folding into
               a SQLite file), one writer commits at ``--rate`` per second: from the
               writer's commit returning to the consumer applying that position, p50/p99.

Run from the repository root (``.ci/standby`` makes the standby; nats-server must run)::

    .venv/bin/python benchmarks/scale.py
    .venv/bin/python benchmarks/scale.py --seconds 20 --writers 4 --rate 50 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import multiprocessing
import os
import platform
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from multiprocessing.synchronize import Event
from pathlib import Path
from types import ModuleType
from typing import Any

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # run as a script, benchmarks/commands.py would shadow `commands`

import psycopg
import sqlalchemy as sa
from psycopg import sql

from catalogue import Quarter
from commands.service import CommandService
from eventstore import EventStore, RecordedEvent
from projections import query
from projections.fold.cutoff import Cutoff
from projections.readmodels.runner import Runner
from relay import Consumer, NatsRelay, RelaySettings

QUARTER = "2018-19-Q1"


def _bench_commands() -> ModuleType:
    """benchmarks/commands.py, for its plan and its workload of commands."""
    spec = importlib.util.spec_from_file_location(
        "bench_commands", Path(__file__).resolve().parent / "commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_commands"] = module
    spec.loader.exec_module(module)
    return module


# -- processes -----------------------------------------------------------------------------


def submit(url: str, offset: int, count: int, rate: float | None, start: Event,
           stop: Event, out: Any, ready: Any) -> None:
    """Submit workload commands offset..offset+count until `stop`; report what committed:
    (commands, events, [(last position, commit time)])."""
    commands = _bench_commands().workload(count)
    for item in commands:  # this writer's own ids, so that no command repeats another's
        item["id"] = f"{offset}/{item['id']}"
        if "update_id" in item["data"]:
            item["data"]["update_id"] = f"{offset}-{item['data']['update_id']}"
    store = EventStore.open(url)
    service = CommandService(store)
    service.catch_up()
    committed: list[tuple[int, float]] = []
    events = 0
    ready.put(offset)
    start.wait(120)
    began = time.monotonic()
    for index, item in enumerate(commands):
        if stop.is_set():
            break
        if rate is not None:
            delay = began + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        outcome = service.submit(item)
        if outcome.accepted and outcome.last_position:
            committed.append((outcome.last_position, time.time()))
            events += outcome.last_position - outcome.first_position + 1
    store.close()
    out.put((len(committed), events, committed))


def append(url: str, worker: int, rate: float | None, start: Event, stop: Event, out: Any,
           ready: Any) -> None:
    """One-event commits (about 300 bytes of data) to this worker's stream until `stop`,
    at `rate` per second or as fast as they go: the store's own ceiling, below the command
    layer."""
    from eventstore import NewEvent

    store = EventStore.open(url)
    text = "x" * 280
    committed: list[tuple[int, float]] = []
    ready.put(worker)
    start.wait(120)
    began = time.monotonic()
    while not stop.is_set():
        if rate is not None:
            delay = began + len(committed) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        result = store.append(f"bench-{worker}",
                              [NewEvent("BenchAppended", {"n": len(committed), "text": text})])
        committed.append((result.last_position, time.time()))
    store.close()
    out.put((len(committed), len(committed), committed))


def backlog(url: str, events: int) -> None:
    """`events` more events in commits of 100, untimed: a backlog for the relay."""
    from eventstore import NewEvent

    with EventStore.open(url) as store:
        for start in range(0, events, 100):
            store.append("bench-backlog", [NewEvent("BenchAppended", {"n": n, "text": "x" * 280})
                                           for n in range(start, min(events, start + 100))])


def _prefix(stream: str) -> str:
    """The benchmark's own subjects: the server may hold a stream over ``opslog.>``."""
    return f"bench.{stream.lower()}"


def relay_forever(url: str, nats_url: str, stream: str) -> None:
    store = EventStore.open(url)
    asyncio.run(NatsRelay(store, RelaySettings(url=nats_url, stream=stream,
                                               subject_prefix=_prefix(stream),
                                               poll_interval=0.005)).run())


def consume_forever(path: str, nats_url: str, stream: str) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    table = sa.Table("applied", sa.MetaData(), sa.Column("position", sa.Integer,
                                                          primary_key=True),
                     sa.Column("at", sa.Float))
    table.metadata.create_all(engine)

    def apply(connection: sa.Connection, event: RecordedEvent) -> None:
        connection.execute(table.insert().values(position=event.position, at=time.time()))

    asyncio.run(Consumer(engine, "latency", apply).follow_nats(nats_url, stream, idle=0.005))


def catch_up_forever(url: str, stop: Event) -> None:
    """What the scheduler does on the primary: keep the read models near the head."""
    store = EventStore.open(url)
    runner = Runner(store)
    while not stop.is_set():
        runner.catch_up()
        stop.wait(1.0)
    store.close()


# -- measurements --------------------------------------------------------------------------


def writers(url: str, count: int, seconds: float, rate: float | None,
            first: int, raw: bool = False) -> tuple[float, int, int, list[tuple[int, float]]]:
    """Run `count` writers for `seconds`; (elapsed, commands, events, commits). With `raw`,
    store appends instead of commands."""
    context = multiprocessing.get_context("spawn")
    start, stop = context.Event(), context.Event()
    out, ready = context.Queue(), context.Queue()
    per = int(seconds * (1_000 if rate is None else 2 * rate)) + 10
    processes = [context.Process(target=append, args=(url, n, rate, start, stop, out, ready))
                 if raw else
                 context.Process(target=submit, args=(url, first + n, per, rate, start,
                                                      stop, out, ready))
                 for n in range(count)]
    for process in processes:
        process.start()
    for _ in processes:  # imports and catch-up, untimed
        ready.get(timeout=120)
    began = time.monotonic()
    start.set()
    time.sleep(seconds)
    stop.set()
    results = [out.get(timeout=120) for _ in processes]
    elapsed = time.monotonic() - began
    for process in processes:
        process.join(30)
    commits = [pair for result in results for pair in result[2]]
    return elapsed, sum(r[0] for r in results), sum(r[1] for r in results), commits


def measure_commit(url: str, count: int, seconds: float) -> dict[str, float]:
    elapsed, commands, events, _ = writers(url, count, seconds, None, 0)
    return {"writers": count, "commands_per_s": commands / elapsed,
            "events_per_s": events / elapsed}


def measure_raw(url: str, count: int, seconds: float) -> dict[str, float]:
    elapsed, appends, _, _ = writers(url, count, seconds, None, 0, raw=True)
    return {"writers": count, "appends_per_s": appends / elapsed}


def measure_relay(url: str, nats_url: str, stream: str) -> dict[str, float]:
    store = EventStore.open(url)
    backlog = store.head().position
    relay = NatsRelay(store, RelaySettings(url=nats_url, stream=stream,
                                           subject_prefix=_prefix(stream)))
    began = time.monotonic()
    asyncio.run(relay.run(until_idle=True))
    elapsed = time.monotonic() - began
    store.close()
    return {"events": backlog, "events_per_s": relay.published / elapsed}


def measure_latency(url: str, nats_url: str, stream: str, rate: float,
                    seconds: float) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as work:
        path = str(Path(work) / "consumer.db")
        relay = context.Process(target=relay_forever, args=(url, nats_url, stream))
        consumer = context.Process(target=consume_forever, args=(path, nats_url, stream))
        relay.start()
        consumer.start()
        try:
            head = EventStore.open(url).head().position
            deadline = time.monotonic() + 120
            while _applied(path, head) is None:  # the backlog first, untimed
                assert time.monotonic() < deadline, "the consumer did not catch up"
                time.sleep(0.2)
            _, commands, _, commits = writers(url, 1, seconds, rate, 100, raw=True)
            last = max(position for position, _ in commits)
            while _applied(path, last) is None:
                assert time.monotonic() < deadline + seconds + 60, "no catch-up"
                time.sleep(0.1)
            applied = dict(sqlite3.connect(path).execute("SELECT position, at FROM applied"))
        finally:
            for process in (relay, consumer):
                process.kill()
                process.join(10)
    latencies = sorted((applied[position] - at) * 1000 for position, at in commits)
    return {"commands": commands, "rate": rate, "p50_ms": _percentile(latencies, 50),
            "p99_ms": _percentile(latencies, 99), "max_ms": latencies[-1]}


def _applied(path: str, position: int) -> float | None:
    try:
        row = sqlite3.connect(path).execute("SELECT at FROM applied WHERE position = ?",
                                            (position,)).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else float(row[0])


def measure_standby(url: str, standby_url: str, count: int,
                    seconds: float) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    runner_stop = context.Event()
    runner = context.Process(target=catch_up_forever, args=(url, runner_stop))
    runner.start()
    primary, standby = EventStore.open(url), EventStore.open(standby_url)
    quarter = Quarter.parse(QUARTER)
    query.report(standby, quarter, Cutoff())  # connections and caches, untimed
    timings: list[float] = []
    lags: list[int] = []
    result: dict[str, float] = {}

    def ask() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.perf_counter()
            query.report(standby, quarter, Cutoff())
            timings.append((time.perf_counter() - began) * 1000)
            lags.append(primary.head().position - standby.head().position)

    import threading

    asker = threading.Thread(target=ask)
    context_writers = threading.Thread(target=lambda: result.update(
        zip(("elapsed", "commands", "events"), writers(url, count, seconds, None, 200)[:3],
            strict=True)))
    context_writers.start()
    while not timings_started(url, primary):
        time.sleep(0.05)
    asker.start()
    asker.join()
    context_writers.join()
    runner_stop.set()
    runner.join(30)
    primary.close()
    standby.close()
    timings.sort()
    return {"writers": count, "commands_per_s": result["commands"] / result["elapsed"],
            "reports": len(timings), "reports_per_s": len(timings) / seconds,
            "report_p50_ms": _percentile(timings, 50), "report_p99_ms": _percentile(timings, 99),
            "lag_p50_positions": _percentile(sorted(lags), 50),
            "lag_max_positions": max(lags) if lags else 0}


def timings_started(url: str, primary: EventStore, _seen: list[int] = []) -> bool:  # noqa: B006
    """True once the writers have begun to commit (their start-up is not timed)."""
    head = primary.head().position
    if not _seen:
        _seen.append(head)
    return head > _seen[0]


def _percentile(values: Sequence[float], percent: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(percent / 100 * (len(values) - 1)))]


# -- setup and output ----------------------------------------------------------------------


def fresh_schema(pg_url: str, standby_url: str) -> tuple[str, str, str]:
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    option = f"options=-csearch_path%3D{schema}"
    return (schema, f"{pg_url}{'&' if '?' in pg_url else '?'}{option}",
            f"{standby_url}{'&' if '?' in standby_url else '?'}{option}")


def drop_schema(pg_url: str, schema: str) -> None:
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("OPSLOG_TEST_DATABASE_URL"))
    parser.add_argument("--standby-url", default=os.environ.get("OPSLOG_TEST_STANDBY_URL"))
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=50.0,
                        help="Commands/s of the one writer in the latency measurement.")
    parser.add_argument("--backlog", type=int, default=20_000,
                        help="Events added before the relay's measurement.")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.postgres_url or not args.standby_url:
        parser.error("give --postgres-url and --standby-url (or set $OPSLOG_TEST_DATABASE_URL "
                     "and $OPSLOG_TEST_STANDBY_URL)")
    from opslog.database import initialise

    schema, url, standby_url = fresh_schema(args.postgres_url, args.standby_url)
    stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    try:
        with EventStore.open(url) as store:
            initialise(store)
        _bench_commands().prepared(url)
        figures: dict[str, Any] = {"machine": {"cpus": os.cpu_count(),
                                               "python": platform.python_version()}}
        figures["commit"] = measure_commit(url, args.writers, args.seconds)
        print("commit ", json.dumps(figures["commit"]), flush=True)
        figures["standby"] = measure_standby(url, standby_url, args.writers, args.seconds)
        print("standby", json.dumps(figures["standby"]), flush=True)
        # From here on the log holds events of no catalogue type, which the read side
        # would only skip: the transport's measurements need no more than envelopes.
        figures["raw"] = measure_raw(url, args.writers, args.seconds)
        print("raw    ", json.dumps(figures["raw"]), flush=True)
        backlog(url, args.backlog)
        figures["relay"] = measure_relay(url, args.nats_url, stream)
        print("relay  ", json.dumps(figures["relay"]), flush=True)
        figures["latency"] = measure_latency(url, args.nats_url, stream, args.rate,
                                             args.seconds)
        print("latency", json.dumps(figures["latency"]), flush=True)
    finally:
        drop_schema(args.postgres_url, schema)
        asyncio.run(_delete_stream(args.nats_url, stream))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


async def _delete_stream(url: str, stream: str) -> None:
    import nats

    connection = await nats.connect(url)
    try:
        await connection.jetstream().delete_stream(stream)
    except Exception:  # never created: nothing to clean
        pass
    finally:
        await connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
