"""Jobs that survive restarts: APScheduler 3 with its SQLAlchemy job store on our database.

API (stable): `register(kind, handler)`, `schedule(kind, run_at, payload, job_id)`,
`cancel(job_id)`, `start()`, `shutdown()`, `run_due()`; a handler is
`async def handler(payload: dict) -> None`, the payload a small JSON-like dict.

- Jobs are rows in `apscheduler_jobs` (created by our Alembic migration), each one
  `run_job(kind, payload)` with a date trigger; the same `job_id` replaces the old job.
- Production (a `SystemClock`): APScheduler's own loop runs in a background thread (its job
  store is synchronous, so it must not block the event loop) and hands due jobs to the App's
  loop (`AppExecutor`). A job that fell due while the bot was down runs once at start
  (`misfire_grace_time=None`: however late; `coalesce`: once). A date job is deleted from
  the store when it is handed over, so it never runs twice; a crash in that instant loses
  it (at most once), which handlers tolerate: each re-checks its ticket's state.
- Tests (a `FakeClock`): the loop stays paused; `run_due()` runs the jobs due at
  `app.clock.now()`, including jobs those jobs schedule for no later than that time.
- Several processes on one PostgreSQL (bot/cluster.py): every process writes jobs to the
  store, only the leader's loop runs them (`lead()` / `follow()`); the leader looks at the
  store at least every `POLL_SECONDS`, since another process may add a job due sooner than
  anything it knew of. A new leader runs what fell due meanwhile at once.
- Never `await schedule()` / `cancel()` inside an open `db.transaction()`: on SQLite the job
  store's write would wait for that transaction, which waits for you.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED
from apscheduler.triggers.date import DateTrigger

from bot.core.clock import SystemClock
from bot.scheduling.executor import JOB_FUNC, AppExecutor

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.storage.db import Database

log = logging.getLogger(__name__)

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]

TABLE = "apscheduler_jobs"
SHUTDOWN_WAIT_SECONDS = 10.0
RUN_DUE_ROUNDS = 1000  # a guard against a job that keeps scheduling itself for "now"
POLL_SECONDS = 1.0  # several processes: how often the leader looks for jobs others added


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    job_id: str
    kind: str
    run_at: datetime
    payload: dict[str, Any]


class _Scheduler(BackgroundScheduler):
    poll: float | None = None  # several processes: look at the store at least this often

    def _process_jobs(self) -> float | None:
        # APScheduler's loop runs one more round when `shutdown()` wakes it; that round would
        # hand due jobs to an executor that is gone (and delete them). Not with us.
        if self.state == STATE_STOPPED:
            return None
        wait: float | None = super()._process_jobs()
        if self.poll is not None and self.state == STATE_RUNNING:
            wait = self.poll if wait is None else min(wait, self.poll)
        return wait


class JobScheduler:
    def __init__(self, db: Database, clock: Clock, *, shared: bool = False) -> None:
        """`shared`: several processes use the store; this one runs jobs only while it
        leads (`lead()`), else it only writes them."""
        self.db = db
        self.clock = clock
        self.shared = shared
        self.leading = not shared
        self._handlers: dict[str, JobHandler] = {}
        self._executor: AppExecutor | None = None
        self._store: BaseJobStore = self._make_store()
        self._scheduler = self._make_scheduler()

    # -- set-up -------------------------------------------------------------------------
    @property
    def real_time(self) -> bool:
        """True when the clock is the system clock: APScheduler's own loop runs the jobs."""
        return isinstance(self.clock, SystemClock)

    def _make_store(self) -> BaseJobStore:
        if self.db.in_memory:
            return MemoryJobStore()
        return SQLAlchemyJobStore(engine=self.db.create_sync_engine(), tablename=TABLE)

    def _make_scheduler(self) -> BackgroundScheduler:
        scheduler = _Scheduler(
            timezone=UTC,
            jobstores={"default": self._store},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            daemon=True,
        )
        if self.shared:
            scheduler.poll = POLL_SECONDS
        return scheduler

    @property
    def started(self) -> bool:
        """The store is open (its jobs can be listed)."""
        return self._scheduler.state != STATE_STOPPED

    async def lead(self) -> None:
        """This process leads now: its loop runs the jobs (those already due at once)."""
        self.leading = True
        await self.release()

    async def release(self) -> None:
        """Let a held start or lead run its jobs (those already due at once)."""
        if self.real_time and self.leading and self._scheduler.state == STATE_PAUSED:
            await asyncio.to_thread(self._scheduler.resume)

    async def follow(self) -> None:
        """Another process leads: stop handing over jobs (those running finish)."""
        self.leading = False
        if self._scheduler.state == STATE_RUNNING:
            await asyncio.to_thread(self._scheduler.pause)

    def register(self, kind: str, handler: JobHandler) -> None:
        self._handlers[kind] = handler

    # -- jobs -----------------------------------------------------------------------------
    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], job_id: str
    ) -> None:
        """Run `kind`'s handler with `payload` at `run_at`; the same job_id replaces."""
        if run_at.tzinfo is None:
            run_at = run_at.replace(tzinfo=UTC)
        await asyncio.to_thread(
            self._scheduler.add_job,
            JOB_FUNC,
            trigger=DateTrigger(run_date=run_at, timezone=UTC),
            args=(kind, dict(payload)),
            id=job_id,
            name=kind,
            replace_existing=True,
        )

    async def cancel(self, job_id: str) -> None:
        await asyncio.to_thread(self._remove, job_id)

    def _remove(self, job_id: str) -> None:
        try:
            self._scheduler.remove_job(job_id)
        except JobLookupError:
            pass

    async def jobs(self) -> list[ScheduledJob]:
        """Every scheduled job, soonest first (for tests and the operator)."""
        found = await asyncio.to_thread(self._scheduler.get_jobs)
        return [
            ScheduledJob(job.id, job.args[0], job.next_run_time.astimezone(UTC), job.args[1])
            for job in found
            if job.next_run_time is not None
        ]

    async def job(self, job_id: str) -> ScheduledJob | None:
        return next((j for j in await self.jobs() if j.job_id == job_id), None)

    async def dispatch(self, kind: str, payload: dict[str, Any]) -> None:
        """Run one job now (called by the executor and by `run_due`)."""
        handler = self._handlers.get(kind)
        if handler is None:
            log.error("no handler registered for job kind %r; job dropped", kind)
            return
        await handler(payload)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, *, hold: bool = False) -> None:
        """Open the store and start the loop; `hold`: paused until `release()`, so that a
        job already due does not run while the start still looks at the store (a claim
        reminder due during a restart ran, and left its job, while `resume_opening` took
        the missing job for a ticket whose opening a stop cut short: two reminders)."""
        if self._scheduler.state != STATE_STOPPED:
            return
        if self._executor is not None:  # started before, then shut down: begin afresh
            self._store = self._make_store()
            self._scheduler = self._make_scheduler()
        self._executor = AppExecutor(self, asyncio.get_running_loop())
        self._scheduler.add_executor(self._executor, "default")
        await asyncio.to_thread(
            self._scheduler.start, paused=hold or not (self.real_time and self.leading)
        )

    async def shutdown(self) -> None:
        if self._scheduler.state == STATE_STOPPED:
            return
        await asyncio.to_thread(self._scheduler.pause)  # no new hand-overs
        await self._finish_running()  # their own schedule() calls still reach the store
        await asyncio.to_thread(self._scheduler.shutdown, True)
        await self._finish_running()

    async def _finish_running(self) -> None:
        if self._executor is not None and self._executor.pending:
            running = [asyncio.wrap_future(f) for f in list(self._executor.pending)]
            await asyncio.wait(running, timeout=SHUTDOWN_WAIT_SECONDS)

    async def run_due(self) -> int:
        """Run every job due at `app.clock.now()` (tests with a fake clock); returns count.

        With the real loop running this only wakes it. A failing handler does not stop the
        others; the first failure is raised afterwards, so a test sees it.
        """
        if self._scheduler.state == STATE_RUNNING:
            self._scheduler.wakeup()
            return 0
        if self._scheduler.state == STATE_STOPPED or (self.real_time and not self.leading):
            return 0
        now = self.clock.now()
        ran = 0
        errors: list[Exception] = []
        for _ in range(RUN_DUE_ROUNDS):
            due = await asyncio.to_thread(self._take_due, now)
            if not due:
                break
            for kind, payload in due:
                ran += 1
                try:
                    await self.dispatch(kind, payload)
                except Exception as exc:
                    log.exception("job %s failed", kind)
                    errors.append(exc)
        if errors:
            raise errors[0]
        return ran

    def _take_due(self, now: datetime) -> list[tuple[str, dict[str, Any]]]:
        taken = []
        for job in self._store.get_due_jobs(now):
            try:
                self._store.remove_job(job.id)
            except JobLookupError:  # someone else took it
                continue
            taken.append((job.args[0], job.args[1]))
        return taken
