"""The running application: start, stop, and the one entry point for every update.

`bot/bootstrap.py` builds it (`create_app`): every service with explicit collaborators, the
scheduler's job table and the outbox's delivery hooks. Services never see the `App`; only
the bootstrap, the transports, the commands and the tests use it. A transport attaches a
`Sender` to `app.outbox` and feeds `Incoming`s to `app.receive` (or `app.handle`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.cluster import Cluster
from bot.config import Settings
from bot.core.actions import AnswerButton, SendText
from bot.core.clock import Clock
from bot.core.incoming import Incoming
from bot.core.roles import Roles
from bot.delivery.outbox import Outbox
from bot.delivery.staff import StaffChatGuard
from bot.intake import Intake
from bot.storage.db import Database, is_unavailable
from bot.storage.maintenance import prune_processed_updates
from bot.storage.models import InboxUpdate, ProcessedUpdate
from bot.texts import Texts

if TYPE_CHECKING:
    from bot.flows.engine import FlowEngine
    from bot.handlers import Router
    from bot.intents import Classifier
    from bot.notices.service import NoticeService
    from bot.privacy import PrivacyService
    from bot.profiles import ProfileService
    from bot.scheduling.scheduler import JobScheduler
    from bot.tickets.service import TicketService

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = timedelta(days=1)

STOP_GRACE_SECONDS = 5.0


@dataclass(eq=False)
class App:
    """What the bootstrap built. The services are kept here for the transports, the
    dashboard (`bot.dashboard.deps.DashboardDeps`) and the tests, never handed to a service."""

    settings: Settings
    clock: Clock
    db: Database
    texts: Texts
    classifier: Classifier
    roles: Roles
    outbox: Outbox
    scheduler: JobScheduler
    profiles: ProfileService
    tickets: TicketService
    notices: NoticeService
    flows: FlowEngine
    router: Router
    staff_guard: StaffChatGuard
    cluster: Cluster
    privacy: PrivacyService | None = None
    intake: Intake = field(init=False)
    _background: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    started: bool = field(default=False, init=False)

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, *, migrate: bool = True, background: bool = True) -> None:
        """Migrate, start the scheduler and the background loops (outbox worker, sweeper,
        notice deliveries).

        With the background loops (a real run): when the database cannot be reached or does
        not answer at start, the app starts anyway in degraded mode (`bot/intake.py`):
        residents are answered straight through the transport, updates are kept in memory
        and the spool file, and the rest of the start (migrations, scheduler, loops, replay)
        runs when the database answers."""
        if self.started:
            return
        self._stop.clear()
        if not background:
            await self._start_on_database(migrate, background=False)
            self.started = True
            return
        try:
            if not await self.intake.probe():
                raise ConnectionError("the database did not answer")
            await self._start_on_database(migrate)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            await self.intake.start_degraded(exc, resume=lambda: self._start_on_database(migrate))
        else:
            await self.intake.start()  # and handles what the last run received but did not
        self.started = True

    async def _start_on_database(self, migrate: bool, *, background: bool = True) -> None:
        """Every step of the start that needs the database, each safe to run again (a
        degraded start runs them when the database answers; the intake then stores and
        handles what it held)."""
        if migrate:
            await self.db.upgrade()
        await self.staff_guard.load()  # the staff group's id, if it became a supergroup
        await self.cluster.start()  # several processes: alive, and maybe the leader
        await self.scheduler.start(hold=True)  # no job runs before resume_opening has looked
        try:
            await self.tickets.digest.plan_next()  # the shift digest (DIGEST_TIMES), if any
            await self.resume_opening()  # tickets a stop cut short: their alert and reminder
        finally:
            await self.scheduler.release()
        if self.privacy is not None:  # the daily retention job, planted once
            await self.privacy.ensure_scheduled()
        await self._housekeeping()
        if background and not self._background:
            self._spawn_loops()

    def _spawn_loops(self) -> None:
        self.spawn(self._housekeeping_loop(self._stop))
        self.spawn(self.outbox.run(self._stop))
        self.spawn(self.outbox.run_answers(self._stop))
        self.spawn(self.outbox.run_urgent(self._stop))
        self.spawn(self.flows.run_sweeper(self._stop))
        self.spawn(self.notices.run(self._stop))  # resumes an interrupted broadcast

    async def resume_opening(self) -> None:
        """At start and when this process takes the lead: tickets a stop cut short between
        their commit and their alert and reminder get them (TicketService.resume_opening)."""
        if not (self.scheduler.leading and self.scheduler.started):
            return  # another process leads, or the job store is not open yet
        try:
            planned = {job.job_id for job in await self.scheduler.jobs()}
            await self.tickets.resume_opening(planned)
        except Exception:
            log.exception("could not check for tickets whose opening was cut short")

    async def _housekeeping(self) -> None:
        """Trim tables that only grow (processed update ids). At start, then daily."""
        try:
            pruned = await prune_processed_updates(self.db, self.clock.now())
        except Exception:
            log.exception("housekeeping failed; next round tomorrow")
            return
        if pruned:
            log.info("forgot %d old update ids", pruned)

    async def _housekeeping_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), HOUSEKEEPING_EVERY.total_seconds())
            except TimeoutError:
                await self._housekeeping()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.append(task)

    async def stop(self) -> None:
        await self.intake.stop()
        self._stop.set()
        if self._background:  # a delivery in flight finishes: no duplicate after a restart
            await asyncio.wait(self._background, timeout=STOP_GRACE_SECONDS)
        for task in self._background:
            task.cancel()
        for task in self._background:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._background.clear()
        if self.started:
            await self.scheduler.shutdown()
        await self.cluster.stop()  # another process takes the lead
        self.started = False
        await self.db.dispose()

    # -- the one entry point for every update --------------------------------------------
    async def handle(self, incoming: Incoming) -> None:
        """Handle one update once: route it, then mark it processed (and drop it from the
        inbox). A crash in between handles it again at the next start (at least once).
        A database that is down or hangs raises (`is_unavailable`): the intake keeps the
        update for later; any other failure is logged and the resident gets an apology."""
        try:
            if await self._seen(incoming.update_id):
                log.info("update %s seen before; ignored", incoming.update_id)
                await self._mark_processed(incoming.update_id)
                return
            try:
                await self.router.route(incoming)
            except Exception as exc:
                if is_unavailable(exc):
                    raise
                log.exception("handling update %s failed", incoming.update_id)
                await self._apologise(incoming)
            await self._mark_processed(incoming.update_id)
        finally:
            await self._answer_press(incoming)

    async def receive(self, incoming: Incoming) -> None:
        """What a transport calls: durable when it returns (see `bot/intake.py`)."""
        await self.intake.receive(incoming)

    async def receive_many(self, batch: list[Incoming], *, full: bool = False) -> None:
        """A getUpdates batch: stored in one transaction, durable when it returns (`full`:
        more are probably waiting at Telegram)."""
        await self.intake.receive_many(batch, full=full)

    async def _answer_press(self, incoming: Incoming) -> None:
        """Every press is answered (Telegram's spinner turns until then): a press the router
        dropped, that its handler did not answer, or whose handling failed."""
        callback = incoming.callback_id
        if callback and not self.outbox.answered(callback):
            await self.outbox.send(AnswerButton(callback, chat_id=incoming.chat_id))

    async def _seen(self, update_id: str) -> bool:
        async with self.db.session() as session:
            return await session.get(ProcessedUpdate, update_id) is not None

    async def _mark_processed(self, update_id: str) -> None:
        try:
            async with self.db.transaction() as session:
                await session.execute(delete(InboxUpdate).where(InboxUpdate.key == update_id))
                if await session.get(ProcessedUpdate, update_id) is None:
                    session.add(ProcessedUpdate(key=update_id, processed_at=self.clock.now()))
        except IntegrityError:  # marked meanwhile by another handling of the same update
            pass

    async def _apologise(self, incoming: Incoming) -> None:
        """A message gets the apology as a reply; a press gets it as the button's answer
        (never a resident's apology posted into the staff group)."""
        try:
            locale = self.texts.pick_locale(incoming.language_code)
            numbers = self.settings.emergency_numbers()
            text = self.texts.bind(locale, defaults=numbers)("common.internal_error")
            if incoming.callback_id:
                if not self.outbox.answered(incoming.callback_id):
                    await self.outbox.send(
                        AnswerButton(incoming.callback_id, text, chat_id=incoming.chat_id)
                    )
                return
            await self.outbox.send(SendText(incoming.chat_id, text))
        except Exception:
            log.exception("could not even apologise to chat %s", incoming.chat_id)
