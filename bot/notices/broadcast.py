"""Sending one notice run (a notice and a purpose) to its residents, row by row.

The `notice_deliveries` rows are the outbox of a broadcast: one per resident and purpose,
created before anything is sent. A row is marked sent only after the transport accepted the
message (many rows per commit: `Recorder`), and a stop in the middle (a restart, a deploy, a
cancelled task) still records the sends already accepted before it lets go, so a restart
resumes with exactly the rows still pending: no gap, no duplicate.
(A hard crash in the instant between Telegram's acceptance and the database commit can
repeat that one message per worker: a safety notice twice beats never.)

- Pacing: `RateLimiter` at BROADCAST_RATE_PER_SECOND; a 429 pauses every worker for its
  `retry_after`, then the same message is sent again.
- 403 (blocked): the row is recorded blocked and the resident marked unreachable.
- Network errors and 5xx: retried with backoff, failed after MAX_ATTEMPTS.
- Other 4xx: failed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from bot.core.actions import SendText
from bot.core.errors import Blocked, NotModified, PermanentError, RetryAfter, TemporaryError
from bot.notices.ratelimit import Now, RateLimiter, Sleep
from bot.notices.shared_rate import SharedRateLimiter
from bot.storage.models import DeliveryStatus, NoticeDelivery, Resident

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import ProfileStore
    from bot.delivery.outbox import Outbox
    from bot.storage.db import Database

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 10  # temporary errors; backoff 0.5 s doubling, capped at BACKOFF_CAP
BACKOFF_CAP = 30.0
MAX_CONCURRENCY = 16
PROGRESS_EVERY = 3.0  # seconds between edits of the manager's progress message


@dataclass
class RunCounts:
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0

    @property
    def settled(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped

    @property
    def pending(self) -> int:
        return max(0, self.total - self.settled)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else math.floor(100 * self.settled / self.total)

    @property
    def delivery_rate(self) -> float:
        """Share of the residents the run meant to reach who got it (skipped ones excluded)."""
        meant = self.total - self.skipped
        return 1.0 if meant <= 0 else self.sent / meant

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


Render = Callable[[str], str]  # locale -> the message text
Progress = Callable[[RunCounts, float | None], Awaitable[None]]  # counts, seconds left


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    chat_id: str
    attempts: int
    locale: str


class Recorder:
    """Marks delivery rows settled, many per transaction (group commit): each caller waits
    for the commit that holds its row, so "sent" is never recorded before it is durable,
    and a busy broadcast does not pay one commit per message."""

    def __init__(self, *, clock: Clock, db: Database) -> None:
        self.clock = clock
        self.db = db
        self._queue: list[tuple[int, str, str | None, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, row_id: int, status: str, error: str | None) -> bool:
        """Settle the row (if still pending); True when this call changed it."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((row_id, status, error, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_all())
        return await done

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                changed = await self._write(batch)
            except Exception as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for row_id, _, _, done in batch:
                if not done.done():
                    done.set_result(row_id in changed)

    async def _write(
        self, batch: list[tuple[int, str, str | None, asyncio.Future[bool]]]
    ) -> set[int]:
        now = self.clock.now()
        groups: dict[tuple[str, str | None], list[int]] = {}
        for row_id, status, error, _ in batch:
            groups.setdefault((status, error), []).append(row_id)
        changed: set[int] = set()
        async with self.db.transaction() as session:
            for (status, error), ids in groups.items():
                result = await session.execute(
                    update(NoticeDelivery)
                    .where(
                        NoticeDelivery.id.in_(ids), NoticeDelivery.status == DeliveryStatus.PENDING
                    )
                    .values(
                        status=status,
                        error=error,
                        attempts=NoticeDelivery.attempts + 1,
                        sent_at=now if status == DeliveryStatus.SENT else None,
                    )
                    .returning(NoticeDelivery.id)
                    .execution_options(synchronize_session=False)
                )
                changed.update(int(i) for i in result.scalars().all())
        return changed


def backoff(attempts: int) -> float:
    return min(BACKOFF_CAP, 0.5 * 2.0 ** max(0, attempts - 1))


def concurrency_for(rate: float) -> int:
    """Enough sends in flight to keep the rate with ~0.5 s round trips, within reason."""
    if rate <= 0:
        return MAX_CONCURRENCY
    return max(1, min(MAX_CONCURRENCY, math.ceil(rate / 2)))


class Broadcaster:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        outbox: Outbox,
        profiles: ProfileStore,
        rate: float | None = None,
        now: Now = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        concurrency: int | None = None,
        limiter: RateLimiter | SharedRateLimiter | None = None,
    ) -> None:
        """`limiter`: the rate shared by several processes (`SharedRateLimiter`); default:
        this process's own `RateLimiter` at BROADCAST_RATE_PER_SECOND."""
        self.clock = clock
        self.db = db
        self.outbox = outbox
        self.profiles = profiles
        rate = settings.broadcast_rate_per_second if rate is None else rate
        self.limiter = limiter or RateLimiter(rate, now=now, sleep=sleep)
        self.now = now
        self.sleep = sleep
        self.concurrency = concurrency or concurrency_for(rate)
        self.recorder = Recorder(clock=clock, db=db)

    async def counts(self, notice_id: int, purpose: str) -> RunCounts:
        async with self.db.session() as session:
            rows = await session.execute(
                select(NoticeDelivery.status, func.count())
                .where(NoticeDelivery.notice_id == notice_id, NoticeDelivery.purpose == purpose)
                .group_by(NoticeDelivery.status)
            )
            by_status = {status: int(n) for status, n in rows.all()}
        counts = RunCounts(total=sum(by_status.values()))
        for status in DeliveryStatus.SETTLED:
            setattr(counts, status, by_status.get(status, 0))
        return counts

    async def run(
        self,
        notice_id: int,
        purpose: str,
        render: Render,
        progress: Progress,
        still_wanted: Callable[[], Awaitable[bool]],
        halted: Callable[[], bool] = lambda: False,
    ) -> RunCounts:
        """Send every pending row of the run; returns the final counts.

        `still_wanted` is asked before each batch (a notice withdrawn by another process
        stops its run there); `halted` before each send (withdrawn in this process).
        """
        counts = await self.counts(notice_id, purpose)
        started, settled_before = self.now(), counts.settled
        last_report = started
        texts: dict[str, str] = {}

        async def one(row: _Row) -> None:
            nonlocal last_report
            if halted():
                return
            if row.locale not in texts:
                texts[row.locale] = render(row.locale)
            status = await self._deliver(row, texts[row.locale], halted)
            if status is None:
                return
            counts.add(status)
            if self.now() - last_report >= PROGRESS_EVERY:
                last_report = self.now()
                await progress(counts, self._eta(counts, started, settled_before))

        while not halted() and await still_wanted():
            rows = await self._pending(notice_id, purpose)
            if not rows:
                break
            await self._gather(one, rows)
        return counts

    def _eta(self, counts: RunCounts, started: float, settled_before: int) -> float | None:
        elapsed = self.now() - started
        done = counts.settled - settled_before
        if counts.pending == 0:
            return 0.0
        if done > 0 and elapsed > 0:
            return counts.pending * elapsed / done
        return counts.pending * self.limiter.interval if self.limiter.interval else None

    async def _gather(self, one: Callable[[_Row], Awaitable[None]], rows: list[_Row]) -> None:
        """Run `one` over `rows` with at most `concurrency` at once; on cancellation wait for
        the workers to finish what they must (recording accepted sends), then re-raise.

        A worker that fails (say, the database went away while recording) stops the others
        taking new rows, but does not cancel them: a send already in flight finishes and is
        recorded, so the next run does not send it again. Then the first failure is raised."""
        queue: asyncio.Queue[_Row] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)
        failures: list[Exception] = []

        async def worker() -> None:
            while not failures and not queue.empty():
                try:
                    await one(queue.get_nowait())
                except Exception as exc:
                    failures.append(exc)

        tasks = [asyncio.ensure_future(worker()) for _ in range(min(self.concurrency, len(rows)))]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        if failures:
            raise failures[0]

    async def _pending(self, notice_id: int, purpose: str) -> list[_Row]:
        async with self.db.session() as session:
            result = await session.execute(
                select(
                    NoticeDelivery.id,
                    NoticeDelivery.chat_id,
                    NoticeDelivery.attempts,
                    Resident.locale,
                )
                .join(Resident, Resident.id == NoticeDelivery.resident_id)
                .where(
                    NoticeDelivery.notice_id == notice_id,
                    NoticeDelivery.purpose == purpose,
                    NoticeDelivery.status == DeliveryStatus.PENDING,
                )
                .order_by(NoticeDelivery.id)
                .limit(BATCH)
            )
            return [_Row(r.id, r.chat_id, r.attempts, r.locale or "zh") for r in result.all()]

    async def _deliver(self, row: _Row, text: str, halted: Callable[[], bool]) -> str | None:
        """Send one row until it settles; returns its status (None: settled by someone else,
        or left pending because the run was halted between retries)."""
        attempts = row.attempts
        first = True
        while True:
            if not first and halted():
                return None
            first = False
            await self.limiter.acquire()
            sender = self.outbox.sender
            while sender is None:  # no transport attached yet
                await self.sleep(0.5)
                sender = self.outbox.sender
            try:
                await sender.deliver(
                    SendText(row.chat_id, text), reply_to_message_id=None, target_message_id=None
                )
            except RetryAfter as exc:
                paused = self.limiter.pause(exc.seconds)
                if inspect.isawaitable(paused):  # the shared limiter tells the others
                    await paused
                continue
            except Blocked as exc:
                return await self._settle(row, DeliveryStatus.BLOCKED, str(exc) or "blocked")
            except TemporaryError as exc:
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    return await self._settle(row, DeliveryStatus.FAILED, str(exc) or "temporary")
                await self._note_attempt(row, attempts, str(exc) or "temporary error")
                await self.sleep(backoff(attempts))
                continue
            except NotModified:
                pass
            except PermanentError as exc:
                return await self._settle(row, DeliveryStatus.FAILED, str(exc) or "rejected")
            except Exception as exc:  # a bug in a sender must not stop the broadcast
                log.exception("sender crashed on notice delivery %s", row.id)
                return await self._settle(row, DeliveryStatus.FAILED, repr(exc))
            return await self._settle(row, DeliveryStatus.SENT, None)

    async def _settle(self, row: _Row, status: str, error: str | None) -> str | None:
        """Record the outcome; a cancellation now waits for the record (the send happened)."""
        record = asyncio.ensure_future(self.recorder.record(row.id, status, error))
        try:
            changed = await asyncio.shield(record)
        except asyncio.CancelledError:
            await record
            raise
        if status == DeliveryStatus.BLOCKED:
            await self.profiles.mark_unreachable(row.chat_id)
        return status if changed else None

    async def _note_attempt(self, row: _Row, attempts: int, error: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(NoticeDelivery)
                .where(NoticeDelivery.id == row.id)
                .values(attempts=attempts, error=error)
                .execution_options(synchronize_session=False)
            )
