"""What sealing payloads for envelope 2 costs the append path.

Not a test. For each backend, the same appends (one event per commit, and 100 per commit)
timed in alternating rounds into two fresh logs: sealed as usual (`eventstore.sealing.seal`:
one `os.urandom` draw per event cut into 128-bit salts, one SHA-256 per field) and with
the seal replaced by a constant (everything else, the v2 hash and the tree included, the
same). Two constants: ``{}`` (nothing stored: the ratio is the whole cost of sealing,
computing the texts and storing them) and the texts of one real seal of the payload (the
same bytes stored: the ratio is the cost of computing them). The ratio is the median over
round pairs of sealed / constant (target >= 0.9). Also printed: `seal` alone, in
microseconds per event, for the benchmark's payload.

Run from the repository root::

    .venv/bin/python benchmarks/sealing.py                                   # SQLite
    .venv/bin/python benchmarks/sealing.py --backends sqlite,postgresql      # both

PostgreSQL is read from ``--postgres-url`` (default ``$OPSLOG_TEST_DATABASE_URL``); each
log gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from eventstore import EventStore, NewEvent, writer
from eventstore.canonical import canonical_json
from eventstore.engine import normalise_url
from eventstore.sealing import seal

ROUNDS = 20
PAYLOAD = {"update_id": "south-west-live", "topic_id": "local-policing", "unit_id": "south-west",
           "title": "South West BCU went live", "effective_date": "2018-05-01",
           "narrative": "In May, the BCU South West went live. " * 4, "milestone_id": None,
           "boroughs": ["Kingston", "Merton", "Richmond", "Wandsworth"], "facts": []}


@contextmanager
def database(backend: str, postgres_url: str | None, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL on `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    if not postgres_url:
        raise SystemExit("--postgres-url (or $OPSLOG_TEST_DATABASE_URL) is needed for postgresql")
    url = normalise_url(postgres_url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url.set(query={**url.query, "options": f"-csearch_path={schema}"}
                      ).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


EMPTY = ("{}", "{}")
"""The constant seal that stores nothing: sealed / this is the whole cost of envelope 2's
payload sealing, computing it and storing its texts."""
SAME_SIZE = seal(canonical_json({**PAYLOAD, "n": 0}))
"""A constant seal of the real texts' size: sealed / this is the cost of computing them."""


@contextmanager
def sealing_switched_off(texts: tuple[str, str]) -> Iterator[None]:
    """Appends whose seal is the constant `texts` (and nothing else changed)."""
    original = writer.seal

    def constant(_data_json: str) -> tuple[str, str]:
        return texts

    writer.seal = constant
    try:
        yield
    finally:
        writer.seal = original


def _events(count: int, start: int) -> list[NewEvent]:
    return [NewEvent("Reported", {**PAYLOAD, "n": start + n}, {"actor": "benchmark"})
            for n in range(count)]


def appends(backend: str, postgres_url: str | None, folder: Path, total: int,
            per_commit: int, constant: tuple[str, str]) -> dict[str, float]:
    """Events per second sealed and unsealed, alternating rounds, and the ratio."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    with database(backend, postgres_url, folder) as sealed_url, \
            database(backend, postgres_url, folder) as plain_url:
        stores = {True: EventStore.open(sealed_url, create=True),
                  False: EventStore.open(plain_url, create=True)}
        per_round = max(total // ROUNDS, per_commit)
        written = {True: 0, False: 0}
        try:
            for round_number in range(ROUNDS):
                for sealed in (True, False) if round_number % 2 else (False, True):
                    store = stores[sealed]
                    batches = [_events(per_commit, written[sealed] + n * per_commit)
                               for n in range(per_round // per_commit)]
                    started = time.perf_counter()
                    if sealed:
                        for n, batch in enumerate(batches):
                            store.append(f"stream-{n % 50}", batch)
                    else:
                        with sealing_switched_off(constant):
                            for n, batch in enumerate(batches):
                                store.append(f"stream-{n % 50}", batch)
                    elapsed = time.perf_counter() - started
                    count = len(batches) * per_commit
                    written[sealed] += count
                    rates[sealed].append(count / elapsed)
        finally:
            for store in stores.values():
                store.close()
    ratio = statistics.median(s / p for s, p in zip(rates[True], rates[False], strict=True))
    return {"sealed": statistics.median(rates[True]),
            "plain": statistics.median(rates[False]), "ratio": ratio}


def seal_alone(times: int = 20_000) -> float:
    """Microseconds per `seal` of the benchmark's payload."""
    text = canonical_json(PAYLOAD)
    started = time.perf_counter()
    for _ in range(times):
        seal(text)
    return (time.perf_counter() - started) / times * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--appends", type=int, default=2_000,
                        help="events per log for the one-event-per-commit comparison")
    parser.add_argument("--postgres-url", default=os.environ.get("OPSLOG_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cpus, sqlalchemy {sa.__version__}")
    print(f"seal alone: {seal_alone():.1f} µs per event ({len(PAYLOAD) + 1} fields)")
    print(f"stored per event: {len(SAME_SIZE[0]) + len(SAME_SIZE[1])} bytes of digests and "
          f"salts, for a payload of {len(canonical_json({**PAYLOAD, 'n': 0}))} bytes")
    print("| backend | operation | baseline | sealed (v2) | seal constant | ratio | target | met |")
    print("|---|---|---|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for backend in args.backends.split(","):
            for per_commit, total in ((1, args.appends), (100, args.appends * 10)):
                for name, constant in (("stores {}", EMPTY), ("same size", SAME_SIZE)):
                    result = appends(backend, args.postgres_url, folder, total, per_commit,
                                     constant)
                    print(f"| {backend} | append_{per_commit} (events/s) | {name} | "
                          f"{result['sealed']:,.0f} | {result['plain']:,.0f} | "
                          f"{result['ratio']:.2f} | ≥ 0.9 | "
                          f"{'yes' if result['ratio'] >= 0.9 else 'no'} |", flush=True)


if __name__ == "__main__":
    main()
