"""How a stored APScheduler job reaches the App without a global.

APScheduler 3 stores a job's callable by reference ("module:function"), so the callable
must be module level. Every job we store is `run_job(kind, payload)`; our executor calls it
with one extra keyword, `context`: the `JobScheduler` that owns the App and the handlers.
Nothing is looked up in module state.

The scheduler's loop runs in its own thread (its job store is synchronous); the executor
hands each due job to the App's event loop and reports the outcome back to APScheduler.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.base import BaseExecutor

if TYPE_CHECKING:
    from apscheduler.job import Job

log = logging.getLogger(__name__)

JOB_FUNC = "bot.scheduling.executor:run_job"


class JobContext(Protocol):
    async def dispatch(self, kind: str, payload: dict[str, Any]) -> None: ...


async def run_job(kind: str, payload: dict[str, Any], *, context: JobContext | None = None) -> None:
    """The one callable every stored job names; `context` comes from `AppExecutor`."""
    if context is None:
        raise RuntimeError("scheduled jobs run through the App's executor only")
    await context.dispatch(kind, payload)


class AppExecutor(BaseExecutor):
    """Runs each due job as a coroutine on the App's event loop, with the App's context."""

    def __init__(self, context: JobContext, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.context = context
        self.loop = loop
        self.pending: set[concurrent.futures.Future[list[JobExecutionEvent]]] = set()

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        future = asyncio.run_coroutine_threadsafe(self._run(job, run_times), self.loop)
        self.pending.add(future)

        def done(f: concurrent.futures.Future[list[JobExecutionEvent]]) -> None:
            self.pending.discard(f)
            try:
                events = f.result()
            except BaseException as exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, events)

        future.add_done_callback(done)

    async def _run(self, job: Job, run_times: list[datetime]) -> list[JobExecutionEvent]:
        events = []
        for run_time in run_times:
            grace = job.misfire_grace_time
            late = datetime.now(UTC) - run_time
            if grace is not None and late > timedelta(seconds=grace):
                log.warning("job %s missed its time by %s; skipped", job.id, late)
                events.append(
                    JobExecutionEvent(EVENT_JOB_MISSED, job.id, job._jobstore_alias, run_time)
                )
                continue
            try:
                await job.func(*job.args, context=self.context, **job.kwargs)
            except Exception as exc:
                log.exception("job %s failed", job.id)
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_ERROR, job.id, job._jobstore_alias, run_time, exception=exc
                    )
                )
            else:
                events.append(
                    JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time)
                )
        return events

    def shutdown(self, wait: bool = True) -> None:
        """Jobs already handed to the loop finish there; `JobScheduler.shutdown` awaits them."""
