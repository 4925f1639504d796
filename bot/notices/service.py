"""Outage notices: publish, deliver, remind, restore, withdraw; answer residents from them.

Public API:
- `answer_outage(chat_id=, user_id=, user_name=, intent=, building=, text=, locale=)`: the
  resident flows call it for water_outage / power_outage once the building is known. Returns
  the HTML to send when a notice (or a cluster of neighbours' reports) already covers the
  report, else None and the flow opens a ticket as usual. Every report is recorded.
- `publish(facts, created_by=, manager_chat_id=)`, `restore(id)`, `withdraw(id)`, `get(id)`,
  `current()`: what the manager commands do (bot/handlers/manager.py).
- `drain()` sends every pending delivery (tests, and the background loop `run(stop)`,
  which the App starts; it resumes an interrupted broadcast after a restart).

Scheduler jobs: `notice.start` (planned -> active at the start time), `notice.remind`
(NOTICE_REMIND_BEFORE_SECONDS before a planned start), `notice.due` (the expected end: asks
the manager whether service is back).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.core.actions import SendDocument, SendPhoto, SendText, keyboard
from bot.estates import Estates
from bot.notices.answering import NoticeAnswers
from bot.notices.broadcast import Broadcaster, RunCounts
from bot.notices.clustering import OutageClusters
from bot.notices.printable import PrintError, png_to_pdf, render_page
from bot.notices.render import NoticeFacts, NoticeRenderer, sounds_unplanned
from bot.notices.runs import DeliveryRuns
from bot.storage.models import (
    DeliveryStatus,
    Notice,
    NoticeDelivery,
    NoticeStatus,
    OutageReport,
    Resident,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import ProfileStore, Scheduler, TicketDesk
    from bot.delivery.outbox import Outbox
    from bot.notices.shared_rate import SharedRateLimiter
    from bot.storage.db import Database
    from bot.texts import Texts

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 5.0  # the background loop also looks for work this often


def job_id(notice_id: int, what: str) -> str:
    return f"notice:{notice_id}:{what}"


class NoticeService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Outbox,
        scheduler: Scheduler,
        tickets: TicketDesk,
        profiles: ProfileStore,
        limiter: SharedRateLimiter | None = None,
        may_send: Callable[[], bool] = lambda: True,
        estates: Estates | None = None,
    ) -> None:
        """`limiter`: a broadcast rate shared with other processes; `may_send`: whether
        this process sends broadcasts now (several processes: the leader only); `estates`:
        a notice reaches its estate's residents, is posted to its channel, answers them."""
        self.estates = estates or Estates.single(settings)
        self.settings = settings
        self.may_send = may_send
        self.clock = clock
        self.db = db
        self.texts = texts
        self.outbox = outbox
        self.scheduler = scheduler
        self.render = NoticeRenderer(texts, settings.timezone)
        self.broadcaster = Broadcaster(
            settings=settings, clock=clock, db=db, outbox=outbox, profiles=profiles,
            limiter=limiter,
        )
        self.runs = DeliveryRuns(self, settings=settings, db=db, texts=texts, outbox=outbox)
        self.answers = NoticeAnswers(self, clock=clock, db=db)
        self.clusters = OutageClusters(
            self,
            settings=settings,
            clock=clock,
            db=db,
            texts=texts,
            outbox=outbox,
            scheduler=scheduler,
            tickets=tickets,
        )
        self.withdrawn: set[int] = set()  # restored or withdrawn in this process: stop sending
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        self._stopping: asyncio.Event | None = None  # the App is stopping: let go at once

    # -- residents ------------------------------------------------------------------------
    async def answer_outage(
        self,
        *,
        chat_id: str,
        user_id: str,
        user_name: str,
        intent: str,
        building: str | None,
        text: str,
        locale: str,
        estate_id: int | None = None,
    ) -> str | None:
        try:
            return await self.answers.answer_outage(
                chat_id=chat_id,
                user_id=user_id,
                user_name=user_name,
                intent=intent,
                building=building,
                text=text,
                locale=locale,
                estate_id=self.estates.resolved(estate_id),
            )
        except Exception:  # never lose a report: the flow opens a ticket as usual
            log.exception("answering an outage report from chat %s failed", chat_id)
            return None

    # -- reading ----------------------------------------------------------------------------
    async def get(self, notice_id: int) -> Notice | None:
        async with self.db.session() as session:
            return await session.get(Notice, notice_id)

    async def current(self) -> list[Notice]:
        """Active and planned notices, soonest start first."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Notice)
                .where(Notice.status.in_(NoticeStatus.CURRENT))
                .order_by(Notice.starts_at, Notice.id)
            )
            return list(rows.all())

    async def counts(self, notice_id: int, purpose: str = "notice") -> RunCounts:
        return await self.broadcaster.counts(notice_id, purpose)

    async def recipients(self, buildings: list[str], estate_id: int | None = None) -> int:
        """How many registered residents a notice for `buildings` (of the estate) would reach."""
        return len(await self.runs.registered_in(buildings, self.estates.resolved(estate_id)))

    # -- publishing ---------------------------------------------------------------------------
    async def publish(
        self,
        facts: NoticeFacts,
        *,
        created_by: str,
        manager_chat_id: str | None,
        cluster_id: int | None = None,
        estate_id: int | None = None,
    ) -> tuple[Notice, int, int]:
        """Store the notice and start sending it: (notice, residents, reporters told).

        Also posted to the estate's channel (NOTICE_CHANNEL_ID) and sent to the manager as
        a printable A4 page (PNG and PDF) for the lobby board."""
        now = self.clock.now()
        started = facts.starts_at is None or facts.starts_at <= now
        unplanned = facts.unplanned or cluster_id is not None or sounds_unplanned(facts.reason)
        advice = facts.advice
        if not advice and started:  # already off: no "store water"
            advice = self.render.default_advice(facts.kind, self.settings.locale, started=True)
        extra: dict[str, Any] = {"cluster_id": cluster_id} if cluster_id else {}
        if unplanned:
            extra["unplanned"] = True
        async with self.db.transaction() as session:
            notice = Notice(
                estate_id=self.estates.resolved(estate_id),
                kind=facts.kind,
                buildings=list(facts.buildings),
                starts_at=facts.starts_at or now,
                ends_at=facts.ends_at,
                reason=facts.reason,
                advice=advice,
                status=NoticeStatus.ACTIVE if started else NoticeStatus.PLANNED,
                created_by=created_by,
                manager_chat_id=manager_chat_id,
                asked_count=0,
                extra=extra,
                created_at=now,
            )
            session.add(notice)
        count = await self.runs.plan(notice, "notice")
        await self._schedule(notice)
        told = await self._tell_reporters(notice, await self.clusters.close_for_notice(notice))
        await self._post_to_channel(notice, "notice")
        if manager_chat_id:
            await self.send_printable(notice, manager_chat_id)
        return notice, count, told

    async def _post_to_channel(self, notice: Notice, purpose: str) -> None:
        """The estate's channel (NOTICE_CHANNEL_ID) gets the notice, and later its end."""
        channel = self.estates.of(notice.estate_id).notice_channel_id
        if not channel:
            return
        text = self.render.message(NoticeFacts.of(notice), purpose, self.settings.locale)
        await self.outbox.send(SendText(channel, text, ref=f"notice:{notice.id}:channel:{purpose}"))

    async def printable(self, notice: Notice) -> tuple[bytes, bytes]:
        """The lobby-board page as (PNG, PDF), in the residents' language."""
        estate = self.estates.of(notice.estate_id)
        page = self.render.printout(
            NoticeFacts.of(notice),
            self.settings.locale,
            estate=estate.name,
            phone=self.settings.company_phone,
            today=self.clock.now(),
        )
        png = await asyncio.to_thread(render_page, page, region=estate.region)
        return png, await asyncio.to_thread(png_to_pdf, png)

    async def send_printable(self, notice: Notice, chat_id: str) -> bool:
        try:
            png, pdf = await self.printable(notice)
        except PrintError:
            log.warning("no CJK font: notice #%s has no printable page", notice.id)
            return False
        name = f"notice-{notice.id}"
        caption = self.texts.bind(self.settings.manager_language)("manager.printable", id=notice.id)
        await self.outbox.send(
            SendPhoto(chat_id, caption=caption, content=png, filename=f"{name}.png")
        )
        await self.outbox.send(SendDocument(chat_id, filename=f"{name}.pdf", content=pdf))
        return True

    async def _schedule(self, notice: Notice) -> None:
        now = self.clock.now()
        payload: dict[str, Any] = {"notice_id": notice.id}
        if notice.status == NoticeStatus.PLANNED and notice.starts_at is not None:
            await self.scheduler.schedule(
                "notice.start", notice.starts_at, payload, job_id(notice.id, "start")
            )
            remind_at = notice.starts_at - timedelta(
                seconds=self.settings.notice_remind_before_seconds
            )
            if remind_at > now:
                await self.scheduler.schedule(
                    "notice.remind", remind_at, payload, job_id(notice.id, "remind")
                )
        if notice.ends_at is not None and notice.ends_at > now:
            await self.scheduler.schedule(
                "notice.due", notice.ends_at, payload, job_id(notice.id, "due")
            )

    async def _unschedule(self, notice_id: int) -> None:
        for what in ("start", "remind", "due"):
            await self.scheduler.cancel(job_id(notice_id, what))

    async def _tell_reporters(
        self, notice: Notice, chats: list[str], purpose: str = "notice"
    ) -> int:
        """Residents who reported (or asked about) this outage but are not on the delivery
        list (not registered) hear it too, through the ordinary outbox."""
        if not chats:
            return 0
        async with self.db.session() as session:
            on_list = set(
                (
                    await session.scalars(
                        select(NoticeDelivery.chat_id).where(NoticeDelivery.notice_id == notice.id)
                    )
                ).all()
            )
            locales = dict(
                (
                    await session.execute(
                        select(Resident.chat_id, Resident.locale).where(Resident.chat_id.in_(chats))
                    )
                ).all()
            )
        facts = NoticeFacts.of(notice)
        told = 0
        for chat in chats:
            if chat in on_list:
                continue
            locale = locales.get(chat) or self.settings.locale
            await self.outbox.send(SendText(chat, self.render.message(facts, purpose, locale)))
            told += 1
        return told

    # -- closing --------------------------------------------------------------------------------
    async def restore(self, notice_id: int) -> int | None:
        """Service is back: tell those the notice reached. None if it was not active."""
        return await self._close(
            notice_id, NoticeStatus.RESTORED, "restored", (NoticeStatus.ACTIVE,)
        )

    async def withdraw(self, notice_id: int) -> int | None:
        """Withdraw a planned or active notice: tell those it reached. None if not current."""
        return await self._close(
            notice_id, NoticeStatus.CANCELLED, "cancelled", NoticeStatus.CURRENT
        )

    async def _close(
        self, notice_id: int, status: str, purpose: str, allowed: tuple[str, ...]
    ) -> int | None:
        now = self.clock.now()
        values: dict[str, Any] = {"status": status}
        values["restored_at" if status == NoticeStatus.RESTORED else "cancelled_at"] = now
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.status.in_(allowed))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            await session.execute(
                update(NoticeDelivery)
                .where(
                    NoticeDelivery.notice_id == notice_id,
                    NoticeDelivery.status == DeliveryStatus.PENDING,
                    NoticeDelivery.purpose.in_(("notice", "reminder")),
                )
                .values(status=DeliveryStatus.SKIPPED, error=f"notice {status}")
                .execution_options(synchronize_session=False)
            )
        self.withdrawn.add(notice_id)
        await self._unschedule(notice_id)
        notice = await self.get(notice_id)
        assert notice is not None
        count = await self.runs.plan(notice, purpose)
        # residents who asked but were not on the list are told too, and counted
        count += await self._tell_reporters(notice, await self._askers(notice_id), purpose)
        await self._post_to_channel(notice, purpose)
        return count

    async def to_tell(self, notice_id: int) -> int:
        """How many residents a restore or withdrawal would reach: those the notice reached,
        and those who asked about it without being on the list."""
        told = {chat for _, chat in await self.runs.told(notice_id)}
        async with self.db.session() as session:
            on_list = set(
                (
                    await session.scalars(
                        select(NoticeDelivery.chat_id).where(NoticeDelivery.notice_id == notice_id)
                    )
                ).all()
            )
        askers = {c for c in await self._askers(notice_id) if c not in on_list}
        return len(told | askers)

    async def _askers(self, notice_id: int) -> list[str]:
        async with self.db.session() as session:
            chats = await session.scalars(
                select(OutageReport.chat_id).where(OutageReport.notice_id == notice_id).distinct()
            )
            return list(chats.all())

    # -- scheduler jobs ---------------------------------------------------------------------------
    async def job_start(self, payload: dict[str, Any]) -> None:
        notice_id = int(payload["notice_id"])
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.status == NoticeStatus.PLANNED)
                .values(status=NoticeStatus.ACTIVE)
                .execution_options(synchronize_session=False)
            )
            changed = result.rowcount == 1  # type: ignore[attr-defined]
        notice = await self.get(notice_id)
        if changed and notice is not None:
            await self.clusters.close_for_notice(notice)

    async def job_remind(self, payload: dict[str, Any]) -> None:
        notice = await self.get(int(payload["notice_id"]))
        if notice is None or notice.status != NoticeStatus.PLANNED:
            return
        await self.runs.plan(notice, "reminder")

    async def job_due(self, payload: dict[str, Any]) -> None:
        notice = await self.get(int(payload["notice_id"]))
        if notice is None or notice.status != NoticeStatus.ACTIVE or not notice.manager_chat_id:
            return
        locale = self.settings.manager_language
        m = self.texts.bind(locale, "manager")
        text = m(
            "due",
            id=notice.id,
            kind=self.render.kind(notice.kind, locale),
            buildings=self.render.buildings(list(notice.buildings or []), locale),
            end=self.render.when(notice.ends_at, locale) if notice.ends_at else "",
        )
        button = m("btn.yes_restored")
        await self.outbox.send(
            SendText(notice.manager_chat_id, text, keyboard([(button, f"nt:ry:{notice.id}")]))
        )

    # -- sending ----------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> int:
        """Send every pending delivery now; returns how many runs ran."""
        async with self._drain_lock:
            return await self.runs.drain()

    def stopping(self) -> bool:
        """The App is stopping, or another process leads now: a broadcast lets go."""
        if not self.may_send():
            return True
        return self._stopping is not None and self._stopping.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        """The background loop: resume what a restart interrupted, then send as work comes.

        When `stop` is set the broadcast finishes the sends in flight and lets go; its
        pending rows wait for the next start."""
        self._stopping = stop
        while not stop.is_set():
            self._wake.clear()
            try:
                if self.may_send():  # several processes: the leader sends broadcasts
                    await self.drain()
            except Exception:
                log.exception("notice delivery failed; retrying")
            wake = asyncio.ensure_future(self._wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {wake, stopped}, timeout=IDLE_CHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            for fut in (wake, stopped):
                fut.cancel()
