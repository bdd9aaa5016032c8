"""Read-side speed on generated logs: rebuilding the read models, and one quarter's board
and report, as of now and as of a past moment.

Not a test. For each backend and log size it measures:

* ``rebuild``         `Runner.rebuild()` from position 1 into a new generation (events/s);
* ``board now``       `query.board` for the log's last quarter, as known at the head (ms);
* ``board past``      `query.board` for the quarter in the middle of the log, as known at
                      the middle position (ms);
* ``report now``, ``report past``  the same for `query.report` (the typed report, ms);
* ``markdown``, ``html``  rendering the "now" report (ms; the page includes its charts).

Queries run against the rebuilt read models; each figure is the median of five runs.

The generated log: a plan of 10 themes, 60 topics, 100 units and 20 indicators, then
quarter after quarter about 2,000 events — 300 milestones scheduled and reported on until
delivered (some carried over, moved or withdrawn), 1,000 operational updates from the
units, 80 indicator values, the quarter's overview, and about 1 per cent corrections and
0.2 per cent retractions. A bigger log is a longer history (56 quarters at 100,000
events; 556, from 1901, at 1,000,000), so the per-quarter figures show what size alone
costs. "Now" is the last complete quarter as known at the head; "past" is the quarter
before the middle event, as known at the middle position.

Run from the repository root::

    .venv/bin/python benchmarks/projections.py --sizes 100000,1000000 \\
        --backends sqlite,postgresql --workdir /tmp/opslog-bench --markdown out/projections.md
    .venv/bin/python benchmarks/projections.py --sizes 100000 --backends sqlite   # quick

Generated logs are kept in ``--workdir`` (SQLite files; PostgreSQL databases named
``opslog_bench_<size>``) and reused when they already hold the same log.
"""

from __future__ import annotations

import sys
from pathlib import Path

if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    # Run as a script, this folder comes first on the path, and its benchmark named
    # commands.py would hide the `commands` package.
    del sys.path[0]

import argparse
import json
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from catalogue import (
    AssetAcquired,
    DomainEvent,
    EventCorrected,
    EventRetracted,
    Fact,
    FigureRef,
    IndicatorDefined,
    IndicatorValueRecorded,
    Metadata,
    MilestoneProgressReported,
    MilestoneRescheduled,
    MilestoneScheduled,
    MilestoneWithdrawn,
    OperationalUpdateRecorded,
    Paragraph,
    Quarter,
    QuarterOverviewWritten,
    RolloutCompleted,
    ThemeDefined,
    TopicDefined,
    UnitRegistered,
    UnitWentLive,
    encode,
)
from eventstore import ANY, EventStore, NewEvent, schema
from opslog.database import initialise
from projections import query
from projections.fold.cutoff import Cutoff
from projections.readmodels.runner import Runner
from projections.render.html import render_html
from projections.render.markdown import render_markdown

BACKENDS = ("sqlite", "postgresql")
EVENTS_PER_QUARTER = 2_000
LAST_QUARTER = Quarter(2025, 4)
FIRST_QUARTER = Quarter(1901, 1)
MILESTONES_PER_QUARTER = 300
UPDATES_PER_QUARTER = 1_000
THEMES, TOPICS_PER_THEME, UNITS, INDICATORS = 10, 6, 100, 20
COMMIT = 1_000
REPEAT = 5
TARGETS = {"rebuild (events/s, SQLite)": 100_000, "report, 1,000,000 events (ms)": 1_000}
WORDS = ("officers", "borough", "patrols", "victims", "partners", "training", "estate",
         "custody", "response", "arrests", "campaign", "review", "knife", "burglary",
         "safeguarding", "digital", "community", "investigation", "prevention", "teams")


# -- the generated log -------------------------------------------------------------------


@dataclass
class Generator:
    """Writes a plausible plan's history, quarter by quarter, until `size` events."""

    size: int
    seed: int = 2018
    rng: random.Random = field(init=False)
    events: list[tuple[DomainEvent, datetime, uuid.UUID]] = field(default_factory=list)
    recent: list[tuple[DomainEvent, uuid.UUID]] = field(default_factory=list)
    milestone_count: int = 0
    update_count: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def quarters(self) -> list[Quarter]:
        """Enough quarters for `size` events, ending in 2025-26 if that starts after 1900
        (the catalogue's first year), else starting in 1901-02."""
        count = max(4, self.size // (EVENTS_PER_QUARTER - 200) + 1)
        first = LAST_QUARTER
        for _ in range(count - 1):
            first = first.previous()
        if first < FIRST_QUARTER:
            first = FIRST_QUARTER
        quarters = [first]
        while len(quarters) < count:
            quarters.append(quarters[-1].next())
        return quarters

    def add(self, event: DomainEvent, when: datetime, correctable: bool = True) -> None:
        event_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        self.events.append((event, when, event_id))
        if correctable:
            self.recent.append((event, event_id))

    def generate(self) -> Iterator[tuple[DomainEvent, datetime, uuid.UUID]]:
        """Every event with its recording time and id, in order, `size` of them."""
        quarters = self.quarters()
        self._structure(quarters[0].starts_at - timedelta(days=1))
        emitted = 0
        open_milestones: dict[str, Quarter] = {}
        for quarter in quarters:
            self._quarter(quarter, open_milestones)
            for item in self.events:
                yield item
                emitted += 1
                if emitted == self.size:
                    return
            self.events = []
        raise AssertionError(f"{len(quarters)} quarters made only {emitted:,} events")

    def _structure(self, when: datetime) -> None:
        for number in range(2, THEMES + 2):
            self.add(ThemeDefined(number=number, title=f"Theme {number}"), when, False)
            for index in range(TOPICS_PER_THEME):
                self.add(TopicDefined(topic_id=f"topic-{number}-{index}", theme=number,
                                      title=f"Topic {number}.{index}"), when, False)
        for index in range(UNITS):
            kind = "bcu" if index < 40 else self.rng.choice(("command", "programme", "team"))
            self.add(UnitRegistered(unit_id=f"unit-{index}", name=f"Unit {index}", kind=kind,
                                    boroughs=[f"Borough {index}a", f"Borough {index}b"]
                                    if kind == "bcu" else []), when, False)
        for index in range(INDICATORS):
            self.add(IndicatorDefined(indicator_id=f"indicator-{index}",
                                      name=f"Indicator {index}", measure="offences",
                                      better=self.rng.choice(("lower", "higher")),
                                      change_decimals=self.rng.choice((1, 2))), when, False)

    def _topic(self) -> str:
        return f"topic-{self.rng.randrange(2, THEMES + 2)}-{self.rng.randrange(TOPICS_PER_THEME)}"

    def _text(self, words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    def _day(self, quarter: Quarter) -> date:
        return quarter.first_day + timedelta(days=self.rng.randrange(
            (quarter.end_day - quarter.first_day).days))

    def _quarter(self, quarter: Quarter, open_milestones: dict[str, Quarter]) -> None:
        rng = self.rng
        clock = quarter.starts_at + timedelta(hours=1)
        span = (quarter.closes_at - quarter.starts_at) / 1_900
        self.recent = self.recent[-4_000:]

        def tick() -> datetime:
            nonlocal clock
            clock += span
            return clock

        for _ in range(MILESTONES_PER_QUARTER):
            self.milestone_count += 1
            milestone_id = f"milestone-{self.milestone_count}"
            open_milestones[milestone_id] = quarter
            self.add(MilestoneScheduled(milestone_id=milestone_id,
                                        title=f"Deliver {self._text(4).lower()}",
                                        topic_id=self._topic(), due_quarter=quarter,
                                        owner_unit=f"unit-{rng.randrange(UNITS)}"), tick())
        for _ in range(UPDATES_PER_QUARTER):
            self.update_count += 1
            self.add(self._update(quarter), tick())
        for index in range(INDICATORS):
            for month in range(3):
                period = f"{quarter.first_day.year + (quarter.first_day.month + month > 12)}-" \
                         f"{(quarter.first_day.month + month - 1) % 12 + 1:02d}"
                self._value(index, period, quarter, tick())
            self._value(index, str(quarter), quarter, tick())
            if quarter.number == 4:
                self._value(index, str(quarter.year), quarter, tick())
        for milestone_id, due in sorted(open_milestones.items()):
            roll = rng.random()
            if roll < 0.03:
                later = due.next() if rng.random() < 0.5 else due.next().next()
                self.add(MilestoneRescheduled(milestone_id=milestone_id, from_quarter=due,
                                              to_quarter=later, reason="contractor delay"),
                         tick())
                open_milestones[milestone_id] = later
                continue
            if roll < 0.04:
                self.add(MilestoneWithdrawn(milestone_id=milestone_id, reason="superseded"),
                         tick())
                del open_milestones[milestone_id]
                continue
            if due > quarter:
                continue
            late = due < quarter
            status = rng.choices(("delivered", "on_track", "some_delay"),
                                 (60, 0, 40) if late else (75, 15, 10))[0]
            self.add(MilestoneProgressReported(
                milestone_id=milestone_id, quarter=quarter, status=status,
                narrative=self._text(30), as_of=quarter.last_day), tick())
            if status == "delivered":
                del open_milestones[milestone_id]
        self.add(QuarterOverviewWritten(quarter=quarter, introduction=[self._text(40)],
                                        paragraphs=[Paragraph(
                                            text=f"{self._text(25)} {{1}}. {self._text(20)}",
                                            figures=[FigureRef(
                                                indicator_id=f"indicator-{index}",
                                                from_period=str(quarter.previous()),
                                                to_period=str(quarter))])
                                            for index in range(3)]), tick(), False)
        for _ in range(EVENTS_PER_QUARTER // 100):
            self._correction(tick())
        for _ in range(EVENTS_PER_QUARTER // 500):
            self._retraction(tick())

    def _update(self, quarter: Quarter) -> DomainEvent:
        rng = self.rng
        common: dict[str, Any] = {
            "update_id": f"update-{self.update_count}", "topic_id": self._topic(),
            "unit_id": f"unit-{rng.randrange(UNITS)}", "title": self._text(6),
            "effective_date": self._day(quarter), "narrative": self._text(35),
            "facts": [Fact(name=rng.choice(WORDS), kind="count", value=rng.randrange(5_000))
                      for _ in range(rng.randrange(3))],
        }
        roll = rng.random()
        if roll < 0.02:
            return UnitWentLive(**common, live_unit=common["unit_id"],
                                boroughs=["Borough a", "Borough b"])
        if roll < 0.04:
            return RolloutCompleted(**common, system="Mobile devices",
                                    count_installed=rng.randrange(100, 5_000))
        if roll < 0.05:
            return AssetAcquired(**common, asset="A building", acquirer=common["unit_id"],
                                 price=Decimal(rng.randrange(1, 500) * 100_000))
        return OperationalUpdateRecorded(**common, kind=rng.choice(("other", "campaign_launched",
                                                                     "operation_outcome")))

    def _value(self, index: int, period: str, quarter: Quarter, when: datetime) -> None:
        self.add(IndicatorValueRecorded(indicator_id=f"indicator-{index}", period=period,
                                        value=Decimal(self.rng.randrange(10_000, 900_000)),
                                        source="recorded crime",
                                        released_on=quarter.last_day), when)

    def _correction(self, when: datetime) -> None:
        event, event_id = self.rng.choice(self.recent)
        if isinstance(event, MilestoneProgressReported):
            if event.status == "delivered":  # a late correction does not reopen a milestone
                changes: dict[str, Any] = {"narrative": self._text(30)}
            else:
                changes = {"status": "on_track" if event.status == "some_delay"
                           else "some_delay"}
        elif isinstance(event, IndicatorValueRecorded):
            changes = {"value": str(event.value + 1)}
        elif isinstance(event, OperationalUpdateRecorded):
            changes = {"narrative": self._text(30)}
        else:
            return
        self.add(EventCorrected(target_event_id=event_id, target_stream_id=event.stream_id,
                                target_type=event.type_name, changes=changes,
                                reason="corrected on review"), when, False)

    def _retraction(self, when: datetime) -> None:
        index = self.rng.randrange(len(self.recent))
        event, event_id = self.recent[index]
        if not isinstance(event, OperationalUpdateRecorded):
            return
        del self.recent[index]
        self.add(EventRetracted(target_event_id=event_id, target_stream_id=event.stream_id,
                                target_type=event.type_name, reason="recorded twice"),
                 when, False)


class ReplayClock:
    """The store's clock during generation: each commit at its events' own time."""

    def __init__(self) -> None:
        self.now = datetime(1900, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def fill(url: str, size: int, seed: int, progress: Callable[[int], None]) -> None:
    """Generate the log into an empty database at `url`."""
    clock = ReplayClock()
    def metadata_of(commit: int) -> dict[str, Any]:
        # A command id per commit, as commands write them (one id for the whole log
        # would make the write model's record of that one command as long as the log).
        command_id = f"bench-{commit}"
        return Metadata(actor="bench", unit=None, command_id=command_id,
                        command_type="Bench", correlation_id=command_id,
                        causation_id=command_id).as_dict()

    with EventStore.open(url, clock=clock) as store:
        initialise(store)
        batch: dict[str, list[NewEvent]] = {}
        pending = written = 0
        metadata = metadata_of(0)
        for event, when, event_id in Generator(size, seed).generate():
            batch.setdefault(event.stream_id, []).append(NewEvent(
                type=event.type_name, data=encode(event), metadata=metadata,
                occurred_at=event.occurred_at, event_id=event_id,
                schema_version=event.schema_version))
            clock.now = when
            pending += 1
            if pending == COMMIT:
                store.append_many([(stream, events, ANY) for stream, events in batch.items()])
                written += pending
                progress(written)
                batch, pending = {}, 0
                metadata = metadata_of(written)
        if batch:
            store.append_many([(stream, events, ANY) for stream, events in batch.items()])


# -- measuring ---------------------------------------------------------------------------


def median_ms(call: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1_000)
    return statistics.median(times)


def measure(url: str, size: int, rebuild_only: bool = False) -> dict[str, Any]:
    with EventStore.open(url) as store:
        initialise(store)
        start, cpu = time.perf_counter(), time.process_time()
        Runner(store).rebuild()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if rebuild_only:
            return {"events": size, "rebuild_events_per_s": round(size / wall),
                    "rebuild_events_per_cpu_s": round(size / cpu),
                    "load_average": os.getloadavg()[0]}
        head = store.head()
        assert head.recorded_at is not None
        now = Quarter.at(head.recorded_at).previous()
        middle = head.position // 2
        middle_time = next(store.read_all(from_position=middle, limit=1)).recorded_at
        past_quarter = Quarter.at(middle_time).previous()
        past = Cutoff(middle)
        report = query.report(store, now, Cutoff())
        return {
            "events": size,
            "rebuild_events_per_s": round(size / wall),
            "rebuild_events_per_cpu_s": round(size / cpu),
            "board_now_ms": median_ms(lambda: query.board(store, now, Cutoff())),
            "board_past_ms": median_ms(lambda: query.board(store, past_quarter, past)),
            "report_now_ms": median_ms(lambda: query.report(store, now, Cutoff())),
            "report_past_ms": median_ms(lambda: query.report(store, past_quarter, past)),
            "markdown_ms": median_ms(lambda: render_markdown(report)),
            "html_ms": median_ms(lambda: render_html(report)),
            "board_rows_now": len(report.board.rows),
            "report_updates_now": sum(len(topic.items) for theme in report.themes
                                      for topic in theme.topics),
            "now": str(now),
            "past": f"{past_quarter} at position {middle:,}",
        }


# -- databases ---------------------------------------------------------------------------


def sqlite_url(workdir: Path, size: int, seed: int) -> tuple[str, bool]:
    path = workdir / f"projections-{size}-{seed}.db"
    return f"sqlite:///{path}", path.exists()


def postgres_url(args: argparse.Namespace, size: int, seed: int) -> tuple[str, bool]:
    base = sa.engine.URL.create("postgresql+psycopg", username=args.pg_user,
                                password=args.pg_password or None, host=args.pg_host,
                                port=args.pg_port, database="postgres")
    name = f"opslog_bench_{size}_{seed}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": name}).first() is not None
        if exists and args.fresh:
            connection.execute(sa.text(f'DROP DATABASE "{name}"'))
            exists = False
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), exists


def prepared(url: str, size: int, seed: int, reuse: bool) -> str:
    """`url` holding the generated log (made now unless it is already there)."""
    if reuse:
        with EventStore.open(url) as store:
            if store.head().position == size:
                return url
        raise SystemExit(f"{url} holds another log: remove it or pass --fresh")
    started = time.perf_counter()

    def progress(written: int) -> None:
        if written % 100_000 == 0:
            rate = written / (time.perf_counter() - started)
            print(f"  generated {written:,} events ({rate:,.0f}/s)", file=sys.stderr)

    fill(url, size, seed, progress)
    return url


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| backend | events | rebuild (events/s) | rebuild (events/CPU s) | board now (ms) | "
        "board past (ms) | report now (ms) | report past (ms) | Markdown (ms) | HTML (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result['backend']} | {result['events']:,} | {result['rebuild_events_per_s']:,} "
            f"| {result['rebuild_events_per_cpu_s']:,} "
            f"| {result['board_now_ms']:.0f} | {result['board_past_ms']:.0f} "
            f"| {result['report_now_ms']:.0f} | {result['report_past_ms']:.0f} "
            f"| {result['markdown_ms']:.0f} | {result['html_ms']:.0f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100000,1000000", help="log sizes, comma-separated")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--fresh", action="store_true", help="generate the logs again")
    parser.add_argument("--rebuild-only", action="store_true",
                        help="time the rebuild alone (no queries, no table)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the table here")
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--pg-password", default=os.environ.get("PGPASSWORD", ""))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for backend in args.backends.split(","):
        for size in (int(text) for text in args.sizes.split(",")):
            if backend == "sqlite":
                url, exists = sqlite_url(args.workdir, size, args.seed)
                if exists and args.fresh:
                    for suffix in ("", "-wal", "-shm"):
                        Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
                    exists = False
            else:
                url, exists = postgres_url(args, size, args.seed)
            print(f"{backend}, {size:,} events: {'reusing' if exists else 'generating'} the log",
                  file=sys.stderr)
            prepared(url, size, args.seed, exists)
            print(f"{backend}, {size:,} events: measuring", file=sys.stderr)
            result = {"backend": backend, **measure(url, size, args.rebuild_only)}
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    if args.rebuild_only:
        for result in results:
            print(f"{result['backend']:<10} {result['events']:>9,} rebuild "
                  f"{result['rebuild_events_per_s']:>9,} events/s "
                  f"({result['rebuild_events_per_cpu_s']:,} per CPU s), "
                  f"load {result['load_average']:.1f}")
        return 0
    summary = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "targets": TARGETS,
        "results": results,
    }
    text = table(results)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


# -- snapshots: boards as of past moments, from the nearest snapshot ----------------------
#
# ``projections.py snapshots [--sizes …] [--backends …] [--workdir …]`` (same logs as
# above). For a few closed quarters picked at random from the middle of the log, it makes
# the quarter's snapshot at its close, then times the quarter's board as known 0, 1,000,
# 10,000 and 100,000 events later, started from that snapshot (`start_from_snapshot`, the
# path `query.board` takes when no read models cover the cut-off), and once, for
# comparison, from a full replay of the log. Each board figure is the median of five runs,
# then the median over the quarters; nothing is cached between runs.

SNAPSHOT_QUARTERS = 3
SNAPSHOT_DISTANCES = (0, 1_000, 10_000, 100_000)
SNAPSHOT_TARGET = "board from a snapshot within 10,000 events, 1,000,000-event log: < 100 ms"


def _closed_quarters_between(store: EventStore) -> list[Quarter]:
    first = next(iter(store.read_all(limit=1))).recorded_at
    last = store.head().recorded_at
    assert last is not None
    quarters, quarter = [], Quarter.at(first).next()
    while quarter.closes_at < last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def snapshot_measure(url: str, seed: int, replay: bool = True) -> dict[str, Any]:
    """Snapshot random closed quarters; time boards at distances after each snapshot."""
    from opslog.database import alembic_config as opslog_config
    from projections.fold.state import fold
    from projections.quarter.board import build_board
    from projections.snapshots.resume import start_from_snapshot
    from projections.snapshots.taking import Maker, take_snapshot

    rng = random.Random(seed)
    with EventStore.open(url) as store:
        schema.upgrade(store.engine, opslog_config())
        head = store.head().position
        quarters = _closed_quarters_between(store)
        chosen = sorted(rng.sample(quarters[len(quarters) // 4: 3 * len(quarters) // 4],
                                   SNAPSHOT_QUARTERS))
        maker = Maker("bench", "bench", datetime.now(UTC))
        made: list[float] = []
        rows: list[int] = []
        timings: dict[int, list[float]] = {distance: [] for distance in SNAPSHOT_DISTANCES}
        for quarter in chosen:
            start = time.perf_counter()
            taken = take_snapshot(store, quarter, quarter.closes_at, maker)
            if taken.created:  # a rerun finds them made: only a first run times making
                made.append(time.perf_counter() - start)
            info = taken.info
            for distance in SNAPSHOT_DISTANCES:
                position = min(info.position + distance, head)

                def from_snapshot(quarter: Quarter = quarter, position: int = position) -> int:
                    with store.engine.connect() as connection:
                        state = start_from_snapshot(store, connection, quarter, position,
                                                    after=0, narrative=False)
                    assert state is not None
                    return len(build_board(state, quarter, Cutoff(position)).rows)

                rows.append(from_snapshot())
                timings[distance].append(median_ms(from_snapshot))
        result: dict[str, Any] = {
            "events": head,
            "quarters": [str(quarter) for quarter in chosen],
            "board_rows": int(statistics.median(rows)),
            "make_snapshot_s": round(statistics.median(made), 1) if made else None,
            "board_from_snapshot_ms": {str(distance): round(statistics.median(values), 1)
                                       for distance, values in timings.items()},
        }
        if replay:
            quarter = chosen[len(chosen) // 2]
            position = min(store.position_at(quarter.closes_at) + 10_000, head)
            start = time.perf_counter()
            build_board(fold(store.read_all(to_position=position)), quarter, Cutoff(position))
            result["board_full_replay_ms"] = round((time.perf_counter() - start) * 1_000)
            result["replayed_events"] = position
    return result


def snapshot_table(results: Sequence[dict[str, Any]]) -> str:
    distances = [str(distance) for distance in SNAPSHOT_DISTANCES]
    lines = [
        "| backend | events | board rows | make snapshot (s) | board from snapshot (ms), "
        + " / ".join(f"{int(distance):,}" for distance in distances)
        + " events since | full replay (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        since = " / ".join(f"{result['board_from_snapshot_ms'][distance]:,.0f}"
                           for distance in distances)
        replay = (f"{result['board_full_replay_ms']:,} ({result['replayed_events']:,} events)"
                  if "board_full_replay_ms" in result else "not measured")
        made = result["make_snapshot_s"]
        lines.append(f"| {result['backend']} | {result['events']:,} | {result['board_rows']:,} "
                     f"| {'made before' if made is None else made} | {since} | {replay} |")
    return "\n".join(lines)


def snapshot_main(argv: Sequence[str]) -> int:
    """The snapshot section alone: ``projections.py snapshots [options]``."""
    parser = argparse.ArgumentParser(prog="projections.py snapshots",
                                     description="Boards as of past moments, from snapshots.")
    parser.add_argument("--sizes", default="1000000", help="log sizes, comma-separated")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opslog-bench"))
    parser.add_argument("--no-replay", action="store_true",
                        help="skip the full replay measured for comparison (tens of seconds)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the table here")
    parser.add_argument("--pg-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--pg-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--pg-password", default=os.environ.get("PGPASSWORD", ""))
    args = parser.parse_args(argv)
    args.fresh = False
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for backend in args.backends.split(","):
        for size in (int(text) for text in args.sizes.split(",")):
            if backend == "sqlite":
                url, exists = sqlite_url(args.workdir, size, args.seed)
            else:
                url, exists = postgres_url(args, size, args.seed)
            print(f"{backend}, {size:,} events: {'reusing' if exists else 'generating'} the log",
                  file=sys.stderr)
            prepared(url, size, args.seed, exists)
            result = {"backend": backend,
                      **snapshot_measure(url, args.seed, replay=not args.no_replay)}
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    text = snapshot_table(results)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"target": SNAPSHOT_TARGET, "results": results},
                                        indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["snapshots"]:
        sys.exit(snapshot_main(sys.argv[2:]))
    sys.exit(main())
