"""The HTTP service under load: concurrent clients submitting commands to uvicorn.

Not a test. On PostgreSQL, `--clients` threads (default 32), each with its own keep-alive
connection and a recorder's token, submit `--commands` commands (default 10,000) to
``opslog serve --workers 2``, one command per ``POST /v1/commands``; a quarter of them are
sent a second time, later, as a client whose answer was lost would. It reports commands/s
(first sends and resends alike), the p50 and p99 latency of a request, then checks the log:
every command recorded exactly once (zero lost, zero duplicated: each command's events,
by command id, are those its first answer named), every resend answered "already
recorded" with the first positions, and the hash chain verifies.

In the same run it measures the in-process command API (one `CommandService`, the same
requests in the same order) on a fresh schema, and prints the ratio.

Run from the repository root::

    .venv/bin/python benchmarks/serve.py                          # the full run
    .venv/bin/python benchmarks/serve.py --commands 400 --clients 8   # quick

Targets: at least 0.5x the in-process API's commands/s, p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # run as a script, this directory would shadow the `commands` package

from commands.identity import direct, issue_token, make_first_admin
from commands.service import CommandService
from eventstore import EventStore
from opslog.database import initialise

UNITS = 12
MILESTONES_PER_UNIT = 40
ADMIN, PERFORMANCE = "bench.admin", "bench.performance"
NARRATIVE = ("Officers carried out a proactive operation with partners across the borough, "
             "targeting the offenders who cause most harm. ") * 3
DEFAULT_URL = "postgresql+psycopg://postgres@/opslog_bench_serve"


def envelope(name: str, command_id: str, who: str | None, /, **data: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"command": name, "id": command_id, "data": data}
    if who is not None:
        found["actor"] = who
    return found


def plan() -> list[dict[str, Any]]:
    """A theme and topic, the units with recorders, and their milestones."""
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


def workload(count: int) -> list[tuple[str, dict[str, Any]]]:
    """(recorder, command without an actor): progress reports and updates, alternating."""
    commands = []
    first_day = date(2018, 4, 1)
    for index in range(count):
        unit_id = f"unit-{index % UNITS:02d}"
        day = first_day + timedelta(days=index % 360)
        quarter = f"2018-19-Q{((day.month - 4) % 12) // 3 + 1}"
        if index % 2 == 0:
            milestone = f"m-{unit_id}-{(index // UNITS) % MILESTONES_PER_UNIT:03d}"
            command = envelope("ReportMilestoneProgress", f"work/{index}", None,
                               milestone_id=milestone, quarter=quarter,
                               status=("on_track", "some_delay")[index % 3 % 2],
                               narrative=NARRATIVE, as_of=day.isoformat())
        else:
            command = envelope(
                "RecordOperationalUpdate", f"work/{index}", None, update_id=f"u-{index}",
                topic_id="violent-crime", unit_id=unit_id, kind="operation_outcome",
                title=f"Operation {index}", effective_date=day.isoformat(),
                narrative=NARRATIVE, facts=[{"name": "arrests", "kind": "count",
                                             "value": index % 50}])
        commands.append((f"recorder.{unit_id}", command))
    return commands


def requests_in_order(count: int, resend: float, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """The workload with a share of it sent again, each resend well after its first send."""
    work = workload(count)
    chosen = random.Random(seed).sample(range(count), int(count * resend))
    order = list(work)
    for index in sorted(chosen):
        later = min(len(order), index + 64 + (index * 7919) % 512)
        order.insert(later, work[index])
    return order


def fresh(base: str, schema: str) -> str:
    """A new empty schema in `base`'s database, as a URL."""
    plain = base.replace("+psycopg", "")
    dbname = plain.rsplit("/", 1)[1].split("?")[0]
    admin = plain.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (dbname,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
            sql.Identifier(schema)))
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def prepared(url: str) -> dict[str, str]:
    """Migrate `url`, make the admin, record the plan, and issue each recorder a token."""
    store = EventStore.open(url, create=True)
    try:
        initialise(store)
        make_first_admin(store, ADMIN, direct())
        service = CommandService(store)
        for item in plan():
            outcome = service.submit(item)
            if not outcome.accepted:
                raise SystemExit(f"setup refused: {outcome.describe()}")
        return {f"recorder.unit-{unit:02d}": issue_token(
            store, actor=f"recorder.unit-{unit:02d}", issued_by=ADMIN, expires_in=None,
            channel=direct()).secret for unit in range(UNITS)}
    finally:
        store.close()


def measure_in_process(url: str, order: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The same requests through one `CommandService`, one after another."""
    with EventStore.open(url) as store:
        service = CommandService(store)
        service.catch_up()
        latencies = []
        started = time.perf_counter()
        for actor, command in order:
            began = time.perf_counter()
            outcome = service.submit(command, actor)
            latencies.append(time.perf_counter() - began)
            if not outcome.accepted:
                raise SystemExit(f"refused in process: {outcome.describe()}")
        elapsed = time.perf_counter() - started
    return {"commands_per_s": len(order) / elapsed, **_percentiles(latencies)}


def _percentiles(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    opslog = str(Path(sys.executable).with_name("opslog"))
    process = subprocess.Popen([opslog, "--db", url, "serve", "--port", str(port),
                                "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("opslog serve did not start")


def measure_http(base: str, order: list[tuple[str, dict[str, Any]]], tokens: dict[str, str],
                 clients: int) -> dict[str, Any]:
    """`clients` threads drain one queue of requests; every answer is kept."""
    work: queue.Queue[tuple[int, str, dict[str, Any]] | None] = queue.Queue()
    for index, (actor, command) in enumerate(order):
        work.put((index, actor, command))
    for _ in range(clients):
        work.put(None)
    answers: list[dict[str, Any] | None] = [None] * len(order)
    latencies: list[float] = [0.0] * len(order)
    failures: list[str] = []

    host, port = base.removeprefix("http://").split(":")

    def client() -> None:
        """A plain keep-alive connection: the client's own cost kept small."""
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            while (item := work.get()) is not None:
                index, actor, command = item
                body = json.dumps(command).encode()
                began = time.perf_counter()
                connection.request("POST", "/v1/commands", body=body, headers={
                    "Authorization": f"Bearer {tokens[actor]}",
                    "Content-Type": "application/json"})
                response = connection.getresponse()
                text = response.read()
                latencies[index] = time.perf_counter() - began
                if response.status != 200:
                    failures.append(f"{command['id']}: {response.status} {text[:300]!r}")
                    continue
                answers[index] = json.loads(text)["results"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return {"commands_per_s": len(order) / elapsed, **_percentiles(latencies),
            "answers": answers}


def check_log(url: str, order: list[tuple[str, dict[str, Any]]],
              answers: list[dict[str, Any] | None]) -> dict[str, Any]:
    """Zero lost, zero duplicated, resends answered with the first positions, chain intact.

    A resend may overtake its first send (they travel on different connections): of each
    command's answers exactly one must say accepted, the others already recorded."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    for (_, command), answer in zip(order, answers, strict=True):
        assert answer is not None
        by_id.setdefault(command["id"], []).append(answer)
    first: dict[str, dict[str, Any]] = {}
    resent = resent_ok = 0
    for command_id, given in by_id.items():
        accepted = [answer for answer in given if answer["status"] == "accepted"]
        if len(accepted) != 1:
            raise SystemExit(f"{command_id} was accepted {len(accepted)} times")
        first[command_id] = accepted[0]
        for answer in given:
            if answer is accepted[0]:
                continue
            resent += 1
            if (answer["status"] == "already recorded"
                    and answer["first_position"] == accepted[0]["first_position"]):
                resent_ok += 1
    with EventStore.open(url) as store:
        events = Counter(event.metadata.get("command_id") for event in store.read_all())
        report = store.verify()
    expected = {command_id: answer["last_position"] - answer["first_position"] + 1
                for command_id, answer in first.items()}
    lost = sum(1 for command_id in expected if events.get(command_id, 0) == 0)
    duplicated = sum(1 for command_id, count in expected.items()
                     if events.get(command_id, 0) > count)
    return {"commands": len(first), "resent": resent, "resends_answered_first": resent_ok,
            "lost": lost, "duplicated": duplicated, "chain_ok": report.ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("OPSLOG_BENCH_DATABASE_URL", DEFAULT_URL),
                        help="A PostgreSQL URL; each measurement gets a fresh schema in it.")
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--resend", type=float, default=0.25)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    order = requests_in_order(args.commands, args.resend)

    api_url = fresh(args.db, "bench_serve_api")
    prepared(api_url)
    in_process = measure_in_process(api_url, order)

    http_url = fresh(args.db, "bench_serve_http")
    tokens = prepared(http_url)
    process, base = serve(http_url, args.workers)
    try:
        http = measure_http(base, order, tokens, args.clients)
    finally:
        process.terminate()
        process.wait(timeout=30)
    checked = check_log(http_url, order, http.pop("answers"))
    ratio = http["commands_per_s"] / in_process["commands_per_s"]
    result = {"commands": args.commands, "requests": len(order), "clients": args.clients,
              "workers": args.workers, "in_process": in_process, "http": http,
              "ratio": ratio, "check": checked,
              "met": ratio >= 0.5 and http["p99_ms"] < 250 and checked["lost"] == 0
              and checked["duplicated"] == 0 and checked["chain_ok"]}
    print(f"| {args.commands:,} | {len(order):,} | {args.clients} | {args.workers} | "
          f"{in_process['commands_per_s']:,.0f} | {http['commands_per_s']:,.0f} | "
          f"{ratio:.2f} | {http['p50_ms']:.1f} | {http['p99_ms']:.1f} | {checked['lost']} | "
          f"{checked['duplicated']} | {checked['resends_answered_first']}/{checked['resent']} | "
          f"{'yes' if checked['chain_ok'] else 'NO'} | {'yes' if result['met'] else 'no'} |")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
