"""Answering a resident's outage report from the notice that covers it.

A notice covers a report when its kind matches (water_outage -> water, power_outage -> power),
it covers the resident's building, and it is active, or planned to start within
EARLY_START (the crew started early). Each resident who asks is counted once per notice
(`notices.asked_count`, shown to managers in /notices).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.notices.buildings import covers
from bot.notices.render import INTENT_KIND, NoticeFacts
from bot.storage.models import Notice, NoticeStatus, OutageReport

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.notices.service import NoticeService
    from bot.storage.db import Database

EARLY_START = timedelta(hours=1)


class NoticeAnswers:
    def __init__(self, notices: NoticeService, *, clock: Clock, db: Database) -> None:
        self.notices = notices
        self.clock = clock
        self.db = db

    async def covering(
        self, kind: str, building: str | None, now: datetime, estate_id: int | None = None
    ) -> Notice | None:
        """The notice that answers a `kind` outage in `building` (of the estate) now, if any."""
        estate_id = self.notices.estates.resolved(estate_id)
        if estate_id is None:
            return None  # which estate is not known: no notice can answer for it
        async with self.db.session() as session:
            candidates = (
                await session.scalars(
                    select(Notice)
                    .where(
                        Notice.kind == kind,
                        Notice.status.in_(NoticeStatus.CURRENT),
                        Notice.estate_id == estate_id,
                    )
                    .order_by(Notice.id.desc())
                )
            ).all()
        for notice in candidates:
            if not covers(list(notice.buildings or []), building):
                continue
            if notice.status == NoticeStatus.ACTIVE:
                return notice
            if notice.starts_at is not None and notice.starts_at <= now + EARLY_START:
                return notice
        return None

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
        kind = INTENT_KIND.get(intent)
        if kind is None:
            return None
        now = self.clock.now()
        notice = await self.covering(kind, building, now, estate_id)  # an estate-wide one covers any
        if notice is None:
            if not building or estate_id is None:  # clusters are per building of an estate
                return None
            return await self.notices.clusters.report(
                kind=kind,
                building=building,
                chat_id=chat_id,
                user_id=user_id,
                user_name=user_name,
                text=text,
                locale=locale,
                now=now,
                estate_id=estate_id,
            )
        await self._count(notice, kind, building, chat_id, user_id, user_name, text, now)
        started = notice.status == NoticeStatus.ACTIVE or (
            notice.starts_at is not None and notice.starts_at <= now
        )
        return self.notices.render.answer(NoticeFacts.of(notice), locale, started=started)

    async def _count(
        self,
        notice: Notice,
        kind: str,
        building: str | None,
        chat_id: str,
        user_id: str,
        user_name: str,
        text: str,
        now: datetime,
    ) -> None:
        async with self.db.transaction() as session:
            asked_before = await session.scalar(
                select(OutageReport.id)
                .where(OutageReport.notice_id == notice.id, OutageReport.user_id == user_id)
                .limit(1)
            )
            session.add(
                OutageReport(
                    kind=kind,
                    building=building,
                    chat_id=chat_id,
                    user_id=user_id,
                    user_name=user_name[:200],
                    text=text[:2000],
                    notice_id=notice.id,
                    at=now,
                )
            )
            if asked_before is None:
                await session.execute(
                    update(Notice)
                    .where(Notice.id == notice.id)
                    .values(asked_count=Notice.asked_count + 1)
                    .execution_options(synchronize_session=False)
                )
