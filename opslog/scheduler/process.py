"""The one scheduler a database may have: its jobs, its lease, its start and stop.

Jobs are defined here, in code, and kept in APScheduler's MemoryJobStore only: nothing of
them is read from the database, so no table's content can make the scheduler run anything
else (a persistent job store keeps pickles, and unpickling runs code). A job added at start
computes its next run from now, so a quarter close missed while the scheduler was down
would be lost: the process therefore also runs the quarter-close work once as it starts,
and that work is self-healing (it makes every missing snapshot of every closed quarter).

APScheduler 3 has no notion of a second scheduler on the same database and both would run
every job, so the process holds a named lease (`eventstore.leases`) for as long as it runs:
a PostgreSQL advisory lock, or on SQLite a row it renews well within the lease's time to
live. A second process on the same database is refused at start. Losing the lease (a
PostgreSQL restart ends the advisory lock's session; on SQLite another holder takes a lapsed
row) stops every job at once: each job confirms the lease before it does any work, the
renewal checks it every few seconds when no job is due, and the first to find it gone shuts
the scheduler down, so a job already running finishes and none follows it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger

from catalogue.periods import LONDON
from eventstore import EventStore
from eventstore.leases import Lease, LeaseLost
from opslog.scheduler import jobs
from opslog.scheduler.triggers import every, quarter_close_trigger
from projections.snapshots.taking import DEFAULT_GRACE_DAYS

log = logging.getLogger("opslog.scheduler")

LEASE_NAME = "opslog-scheduler"
LEASE_TTL = timedelta(seconds=60)
RENEW_SECONDS = 5.0
"""Renewed twelve times per time to live, so a slow database does not cost the lease and an
idle scheduler finds a lost one within seconds (a job confirms it anyway before it runs)."""
DEFAULT_CATCH_UP_SECONDS = 60.0
DEFAULT_CHECKPOINT_SECONDS = 3600.0
"""How often the log's tree is signed when it grew: a witness's view is at most this stale."""
CHECKPOINT_JOB = "checkpoint"
QUARTER_CLOSE_JOB = "quarter-close"
CATCH_UP_JOB = "read-model-catch-up"
STARTUP_JOB = "quarter-close-on-start"
RENEW_JOB = "lease-renewal"


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job of the scheduler's: fixed id, module-level function of the URL, trigger."""

    id: str
    func: Callable[..., object]
    trigger: BaseTrigger
    kwargs: dict[str, object] = field(default_factory=dict)
    """Passed to `func` after the URL."""


def job_specs(catch_up_seconds: float, grace_days: int = DEFAULT_GRACE_DAYS,
              actor: str | None = None,
              checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS) -> list[JobSpec]:
    """The scheduled jobs (besides the start-up run and the lease renewal)."""
    return [
        JobSpec(QUARTER_CLOSE_JOB, jobs.close_quarters, quarter_close_trigger(grace_days),
                {"grace_days": grace_days, "actor": actor}),
        JobSpec(CATCH_UP_JOB, jobs.catch_up_read_models, every(catch_up_seconds)),
        JobSpec(CHECKPOINT_JOB, jobs.make_checkpoint, every(checkpoint_seconds)),
    ]


def holder_name() -> str:
    """Who holds the lease, for the refused process's message: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SchedulerProcess:
    """Holds the lease, runs the scheduler, and stops if the lease is ever lost."""

    def __init__(self, url: str, *, catch_up_seconds: float = DEFAULT_CATCH_UP_SECONDS,
                 grace_days: int = DEFAULT_GRACE_DAYS, blocking: bool = True,
                 holder: str | None = None, actor: str | None = None,
                 checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS) -> None:
        if catch_up_seconds <= 0:
            raise ValueError("catch_up_seconds must be positive")
        if checkpoint_seconds <= 0:
            raise ValueError("checkpoint_seconds must be positive")
        self.checkpoint_seconds = checkpoint_seconds
        if grace_days < 0:
            raise ValueError("grace_days must not be negative")
        self.url = url
        self.catch_up_seconds = catch_up_seconds
        self.grace_days = grace_days
        self.actor = actor
        """Whom the quarter-close job acts as (checked at each run); None: the operator's
        own process, unchecked (the Python API)."""
        self.store = EventStore.open(url)
        self.lease = Lease(self.store.engine, LEASE_NAME, holder or holder_name(), ttl=LEASE_TTL)
        self.blocking = blocking
        self.lost: LeaseLost | None = None
        """Why the lease was lost, once it is: the scheduler is then shut down."""
        self._lease_lock = threading.Lock()
        scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler: BaseScheduler = scheduler_class(
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=LONDON,
        )
        self.scheduler.add_listener(_log_failure, EVENT_JOB_ERROR)

    def _add_jobs(self) -> None:
        for spec in job_specs(self.catch_up_seconds, self.grace_days, self.actor,
                              self.checkpoint_seconds):
            self.scheduler.add_job(self.guarded, spec.trigger, args=[spec.func],
                                   kwargs=spec.kwargs, id=spec.id, name=spec.id)
        self.scheduler.add_job(self.guarded, "date", run_date=datetime.now(UTC),
                               args=[jobs.close_quarters],
                               kwargs={"grace_days": self.grace_days, "actor": self.actor},
                               id=STARTUP_JOB,
                               name=STARTUP_JOB)
        self.scheduler.add_job(self.confirm_lease, every(RENEW_SECONDS), id=RENEW_JOB,
                               name=RENEW_JOB)

    def start(self, *, paused: bool = False) -> None:
        """Take the lease (or raise `LeaseHeld`), then start the jobs.

        A blocking scheduler returns only when it is shut down; the lease is then given up.
        """
        self.lease.acquire()
        log.info("scheduler started by %s: quarter-close at 00:30 London %d days after each "
                 "quarter's close (its snapshot's cut-off), read-model catch-up every %g s",
                 self.lease.holder, self.grace_days, self.catch_up_seconds)
        try:
            self._add_jobs()
            self.scheduler.start(paused=paused)
        except BaseException:  # Ctrl-C or SIGTERM: jobs end before the lease is given up
            self.stop()
            raise
        if self.blocking:  # returns once shut down (a BackgroundScheduler is a subclass)
            self._release()

    def guarded(self, work: Callable[..., object], **options: object) -> None:
        """Run a job's `work` on the database (with its `options`) only while the lease is
        confirmed ours: a job due after the lease was lost does nothing."""
        if self.confirm_lease():
            work(self.url, **options)

    def confirm_lease(self) -> bool:
        """Renew the lease: whether it is still ours. The first to find it lost shuts the
        scheduler down at once (a job already running finishes; no other starts)."""
        with self._lease_lock:
            if self.lost is not None:
                return False
            try:
                self.lease.renew()
            except LeaseLost as error:
                self.lost = error
            else:
                return True
        log.error("scheduler lease lost (%s): its jobs are stopped, so that none runs twice",
                  self.lost)
        with contextlib.suppress(SchedulerNotRunningError):  # already stopping
            self.scheduler.shutdown(wait=False)
        return False

    def stop(self) -> None:
        """Shut the scheduler down (waiting for running jobs) and give the lease up."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._release()

    def _release(self) -> None:
        with self._lease_lock:
            if self.lease.held:
                self.lease.release()
        self.store.close()


def _log_failure(event: JobExecutionEvent) -> None:
    """A failed run is retried at the job's next run; the work is self-healing."""
    log.error("job %s failed: %s (it runs again at its next time)", event.job_id,
              event.exception)
