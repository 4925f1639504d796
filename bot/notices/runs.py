"""Delivery runs: who gets a notice (rows), and the manager's progress message and summary.

A run is a notice and a purpose: `notice` and `reminder` go to every resident of the
notice's buildings whose building is known: registered (a building and consent), or told in
a ticket (the latest ticket's building; a resident who said /forget is left out), each once;
`restored` and `cancelled` to those the notice or its reminder reached. `plan` writes the rows and the manager's progress message;
`drain` sends every run that has pending rows (after a restart too).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from bot.core.actions import EditText, SendText
from bot.core.privacy import ANONYMISED
from bot.notices.broadcast import RunCounts
from bot.notices.buildings import covers
from bot.notices.render import NoticeFacts
from bot.storage.models import (
    DeliveryStatus,
    Notice,
    NoticeDelivery,
    NoticeStatus,
    Resident,
    Ticket,
)

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.ports import Messenger
    from bot.notices.service import NoticeService
    from bot.storage.db import Database
    from bot.texts import Texts

log = logging.getLogger(__name__)

TARGET_RATE = 0.90  # procedures.md: outage notices reach at least 90% of residents
TO_EVERYONE = ("notice", "reminder")
TO_THOSE_TOLD = ("restored", "cancelled")
_BAR_CELLS = 10


def opted_out(resident: Resident) -> bool:
    """Said /forget: consent withdrawn (consent_at then records when), so a ticket's
    building is not used to reach them either."""
    return not resident.consent and resident.consent_at is not None


def progress_ref(notice_id: int, purpose: str) -> str:
    return f"notice:{notice_id}:{purpose}:progress"


class DeliveryRuns:
    def __init__(
        self,
        notices: NoticeService,
        *,
        settings: Settings,
        db: Database,
        texts: Texts,
        outbox: Messenger,
    ) -> None:
        self.notices = notices
        self.settings = settings
        self.db = db
        self.texts = texts
        self.m = texts.bind(settings.manager_language, "manager")
        self.outbox = outbox

    # -- who --------------------------------------------------------------------------------
    async def registered_in(
        self, buildings: list[str], estate_id: int | None = None
    ) -> list[Resident]:
        """Every resident of the estate `buildings` covers, once: registered ones by the
        building they gave, the others by the building of their latest ticket (a row is
        made for a reporter who has none, so the delivery can point to it)."""
        estates = self.notices.estates
        estate_id = estates.resolved(estate_id)

        def ours(resident_estate: int | None) -> bool:
            return estates.resolved(resident_estate) == estate_id

        now = self.notices.clock.now()
        async with self.db.transaction() as session:
            residents = {
                r.user_id: r for r in (await session.scalars(select(Resident))).all()
            }
            tickets = await session.execute(
                select(
                    Ticket.user_id, Ticket.chat_id, Ticket.user_name, Ticket.building,
                    Ticket.estate_id,
                )
                .where(Ticket.building.is_not(None), Ticket.user_id != ANONYMISED)
                .order_by(Ticket.created_at, Ticket.id)
            )
            building_of: dict[str, str] = {}
            for row in residents.values():
                if row.consent and row.building and ours(row.estate_id):
                    building_of[row.user_id] = row.building
            latest: dict[str, tuple[str, str, str, int | None]] = {}
            for user_id, chat_id, name, building, estate in tickets.all():
                latest[str(user_id)] = (str(chat_id), str(name or ""), str(building), estate)
            for user_id, (chat_id, name, building, estate) in latest.items():
                if not ours(estate):
                    continue
                known = residents.get(user_id)
                if user_id in building_of or (known is not None and opted_out(known)):
                    continue
                if not chat_id or chat_id.startswith("-"):  # a group, never a resident
                    continue
                building_of[user_id] = building
                if known is None:
                    row = Resident(
                        user_id=user_id,
                        chat_id=chat_id,
                        name=name,
                        locale=self.settings.locale,
                        consent=False,
                        unreachable=False,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                    residents[user_id] = row
            await session.flush()
            chosen = [
                residents[user_id]
                for user_id, building in building_of.items()
                if covers(buildings, building)
            ]
        seen: set[str] = set()
        unique = []
        for row in sorted(chosen, key=lambda r: r.id):
            if row.chat_id not in seen:
                seen.add(row.chat_id)
                unique.append(row)
        return unique

    async def told(self, notice_id: int) -> list[tuple[int, str]]:
        """(resident id, chat id) of everyone the notice or its reminder reached."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(NoticeDelivery.resident_id, NoticeDelivery.chat_id)
                .where(
                    NoticeDelivery.notice_id == notice_id,
                    NoticeDelivery.purpose.in_(TO_EVERYONE),
                    NoticeDelivery.status == DeliveryStatus.SENT,
                )
                .distinct()
            )
            return [(int(r), str(c)) for r, c in rows.all()]

    # -- planning ---------------------------------------------------------------------------
    async def plan(self, notice: Notice, purpose: str) -> int:
        """Write the run's rows and the manager's progress message; returns the row count."""
        if purpose in TO_EVERYONE:
            residents = await self.registered_in(list(notice.buildings or []), notice.estate_id)
            wanted = [(r.id, r.chat_id, r.unreachable) for r in residents]
        else:
            wanted = [(rid, chat, False) for rid, chat in await self.told(notice.id)]
        async with self.db.transaction() as session:
            existing = set(
                (
                    await session.scalars(
                        select(NoticeDelivery.resident_id).where(
                            NoticeDelivery.notice_id == notice.id, NoticeDelivery.purpose == purpose
                        )
                    )
                ).all()
            )
            rows = [
                {
                    "notice_id": notice.id,
                    "resident_id": rid,
                    "chat_id": chat,
                    "purpose": purpose,
                    # known to have blocked the bot: recorded, not sent (counts against the rate)
                    "status": DeliveryStatus.BLOCKED if unreachable else DeliveryStatus.PENDING,
                    "error": "unreachable before sending" if unreachable else None,
                    "attempts": 0,
                }
                for rid, chat, unreachable in wanted
                if rid not in existing
            ]
            if rows:
                await session.execute(insert(NoticeDelivery), rows)
        counts = await self.notices.broadcaster.counts(notice.id, purpose)
        if notice.manager_chat_id:
            if counts.total == 0:
                await self.outbox.send(
                    SendText(
                        notice.manager_chat_id,
                        self.m("summary_none", id=notice.id, purpose=self.purpose(purpose)),
                    )
                )
            else:
                await self.outbox.send(
                    SendText(
                        notice.manager_chat_id,
                        self.progress_text(notice.id, purpose, counts, None),
                        ref=progress_ref(notice.id, purpose),
                    )
                )
                if counts.pending == 0:
                    await self.summarise(notice, purpose, counts)
        self.notices.wake()
        return counts.total

    # -- sending ----------------------------------------------------------------------------
    async def pending_runs(self) -> list[tuple[int, str]]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(NoticeDelivery.notice_id, NoticeDelivery.purpose)
                .where(NoticeDelivery.status == DeliveryStatus.PENDING)
                .distinct()
            )
            return sorted((int(n), str(p)) for n, p in rows.all())

    async def drain(self) -> int:
        """Send every run with pending rows, oldest notice first; returns how many ran."""
        ran = 0
        for notice_id, purpose in await self.pending_runs():
            notice = await self.notices.get(notice_id)
            if notice is None:
                continue
            await self.send_run(notice, purpose)
            ran += 1
        return ran

    async def send_run(self, notice: Notice, purpose: str) -> RunCounts:
        facts = NoticeFacts.of(notice)
        render = self.notices.render

        def text(locale: str) -> str:
            return render.message(facts, purpose, locale)

        async def progress(counts: RunCounts, eta: float | None) -> None:
            await self._edit_progress(notice, purpose, counts, eta)

        async def still_wanted() -> bool:
            if purpose not in TO_EVERYONE:
                return True
            fresh = await self.notices.get(notice.id)
            return fresh is not None and fresh.status in NoticeStatus.CURRENT

        def halted() -> bool:
            if self.notices.stopping():
                return True
            return purpose in TO_EVERYONE and notice.id in self.notices.withdrawn

        counts = await self.notices.broadcaster.run(
            notice.id, purpose, text, progress, still_wanted, halted
        )
        if counts.pending == 0:
            await self._edit_progress(notice, purpose, counts, 0.0)
            await self.summarise(notice, purpose, counts)
        return counts

    # -- the manager's view -----------------------------------------------------------------
    def purpose(self, purpose: str) -> str:
        return self.m(f"purpose.{purpose}")

    def eta(self, seconds: float | None) -> str:
        if seconds is None:
            return self.m("eta_unknown")
        if seconds < 90:
            return self.m("eta_seconds", n=max(1, round(seconds)))
        return self.m("eta_minutes", n=round(seconds / 60))

    def progress_text(
        self, notice_id: int, purpose: str, counts: RunCounts, eta: float | None
    ) -> str:
        filled = round(_BAR_CELLS * counts.percent / 100)
        values = {
            "id": notice_id,
            "purpose": self.purpose(purpose),
            "bar": "▓" * filled + "░" * (_BAR_CELLS - filled),
            "percent": counts.percent,
            "sent": counts.sent,
            "failed": counts.failed,
            "blocked": counts.blocked,
            "total": counts.total,
        }
        if counts.pending == 0:
            return self.m("progress_done", **values)
        return self.m("progress", eta=self.eta(eta), **values)

    async def _edit_progress(
        self, notice: Notice, purpose: str, counts: RunCounts, eta: float | None
    ) -> None:
        if not notice.manager_chat_id:
            return
        await self.outbox.send(
            EditText(
                notice.manager_chat_id,
                progress_ref(notice.id, purpose),
                self.progress_text(notice.id, purpose, counts, eta),
            )
        )

    async def summarise(self, notice: Notice, purpose: str, counts: RunCounts) -> None:
        if not notice.manager_chat_id:
            return
        rate = counts.delivery_rate
        if purpose in TO_EVERYONE:
            text = self.m(
                "summary",
                id=notice.id,
                purpose=self.purpose(purpose),
                sent=counts.sent,
                total=counts.total - counts.skipped,
                rate=rate,
                verdict=self.m("verdict_ok" if rate >= TARGET_RATE else "verdict_low"),
                failed=counts.failed,
                blocked=counts.blocked,
            )
        else:
            text = self.m(
                "summary_short",
                id=notice.id,
                purpose=self.purpose(purpose),
                sent=counts.sent,
                total=counts.total - counts.skipped,
            )
        await self.outbox.send(SendText(notice.manager_chat_id, text))
