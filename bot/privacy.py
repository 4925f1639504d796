"""Residents' personal data (PIPL-minded): a copy on request, and deletion on a schedule.

- `export(user_id, chat_id)`: everything stored about one resident, as a JSON-ready dict
  (/mydata sends it as a file): the profile, every ticket with its timeline, the
  conversation in progress, outage reports and the notices sent to them.
- `retention_job`: the daily job `privacy.retention` (registered in the bootstrap's job
  table; `ensure_scheduled` plants it at start, each run plants the next). Tickets finished
  (resolved, closed or cancelled) more than RETENTION_DAYS ago lose their personal fields:
  name, phone, room, the resident's words, chat and user ids (`anonymised`), files and
  locations, and the words in their timeline; what the statistics need (type, severity,
  building, times, rating) stays. Conversations idle more than CONVERSATION_RETENTION_DAYS
  are deleted, outage reports older than that lose their words and ids.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select, update

from bot.core.privacy import ANONYMISED
from bot.storage.models import (
    Conversation,
    NoticeDelivery,
    OutageReport,
    Resident,
    Ticket,
    TicketEvent,
    TicketStatus,
)

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Scheduler
    from bot.storage.db import Database

log = logging.getLogger(__name__)

RETENTION_JOB = "privacy.retention"
RETENTION_JOB_ID = "privacy:retention"
RUN_AT = time(3, 30)  # local time: a quiet hour
FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED)
# ticket.extra keys that hold personal data (files, places, contacts, the resident's words)
PERSONAL_EXTRA = ("photos", "documents", "location", "contact", "place", "notes", "earlier", "name")
PERSONAL_EVENTS = ("created", "message_in", "message_out", "details_updated")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _iso(getattr(obj, name)) for name in fields}


TICKET_FIELDS = (
    "id", "intent", "severity", "status", "building", "room", "phone", "description",
    "user_name", "claimed_at", "on_site_at", "resolved_at", "closed_at", "rating", "fixed",
    "followup_answer", "created_at", "updated_at",
)  # fmt: skip
RESIDENT_FIELDS = (
    "user_id", "chat_id", "name", "locale", "building", "room", "phone", "consent",
    "consent_at", "unreachable", "created_at", "updated_at",
)  # fmt: skip


class PrivacyService:
    def __init__(
        self, *, settings: Settings, clock: Clock, db: Database, scheduler: Scheduler
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.scheduler = scheduler

    # -- a copy for the resident ------------------------------------------------------------
    async def export(self, user_id: str, chat_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            resident = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            tickets = (
                await session.scalars(
                    select(Ticket)
                    .where(or_(Ticket.user_id == user_id, Ticket.chat_id == chat_id))
                    .order_by(Ticket.id)
                )
            ).all()
            events = (
                await session.scalars(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id.in_([t.id for t in tickets]))
                    .order_by(TicketEvent.ticket_id, TicketEvent.id)
                )
            ).all()
            conversation = await session.scalar(
                select(Conversation).where(Conversation.chat_id == chat_id)
            )
            reports = (
                await session.scalars(
                    select(OutageReport)
                    .where(OutageReport.user_id == user_id)
                    .order_by(OutageReport.id)
                )
            ).all()
            deliveries = (
                await session.scalars(
                    select(NoticeDelivery)
                    .where(NoticeDelivery.chat_id == chat_id)
                    .order_by(NoticeDelivery.id)
                )
            ).all()
        timeline: dict[int, list[dict[str, Any]]] = {}
        for event in events:
            # staff are named only as "staff": their names are their own personal data
            timeline.setdefault(event.ticket_id, []).append(
                {
                    "at": _iso(event.at),
                    "kind": event.kind,
                    "by": event.actor_kind,
                    "text": event.text,
                }
            )
        return {
            "exported_at": _iso(self.clock.now()),
            "profile": _row(resident, RESIDENT_FIELDS) if resident is not None else None,
            "tickets": [
                {
                    **_row(t, TICKET_FIELDS),
                    "photos": len((t.extra or {}).get("photos") or []),
                    "location": (t.extra or {}).get("location"),
                    "timeline": timeline.get(t.id, []),
                }
                for t in tickets
            ],
            "conversation": (
                {
                    "flow": conversation.flow,
                    "step": conversation.step,
                    "answers": {
                        k: v for k, v in (conversation.slots or {}).items() if not k.startswith("_")
                    },
                    "updated_at": _iso(conversation.updated_at),
                }
                if conversation is not None
                else None
            ),
            "outage_reports": [
                {"at": _iso(r.at), "kind": r.kind, "building": r.building, "text": r.text}
                for r in reports
            ],
            "notices_received": [
                {
                    "notice_id": d.notice_id,
                    "purpose": d.purpose,
                    "status": d.status,
                    "sent_at": _iso(d.sent_at),
                }
                for d in deliveries
            ],
            "retention": {
                "tickets_days": self.settings.retention_days,
                "conversations_days": self.settings.conversation_retention_days,
            },
        }

    # -- retention ------------------------------------------------------------------------------
    def next_run(self, after: datetime) -> datetime:
        """The next RUN_AT in the estate's time zone after `after`."""
        tz = ZoneInfo(self.settings.timezone)
        local = after.astimezone(tz)
        run = datetime.combine(local.date(), RUN_AT, tzinfo=tz)
        if run <= local:
            run = datetime.combine(local.date() + timedelta(days=1), RUN_AT, tzinfo=tz)
        return run.astimezone(UTC)

    async def ensure_scheduled(self) -> None:
        """At start: the daily job is planted if it is not there yet."""
        jobs = getattr(self.scheduler, "jobs", None)
        if jobs is not None and any(j.job_id == RETENTION_JOB_ID for j in await jobs()):
            return
        await self.scheduler.schedule(
            RETENTION_JOB, self.next_run(self.clock.now()), {}, RETENTION_JOB_ID
        )

    async def retention_job(self, payload: dict[str, Any]) -> None:
        try:
            tickets, conversations = await self.apply_retention()
            if tickets or conversations:
                log.info(
                    "retention: %d tickets anonymised, %d conversations deleted",
                    tickets,
                    conversations,
                )
        finally:
            await self.scheduler.schedule(
                RETENTION_JOB, self.next_run(self.clock.now()), {}, RETENTION_JOB_ID
            )

    async def apply_retention(self) -> tuple[int, int]:
        """(tickets anonymised, conversations deleted) as of now."""
        now = self.clock.now()
        ticket_cutoff = now - timedelta(days=self.settings.retention_days)
        talk_cutoff = now - timedelta(days=self.settings.conversation_retention_days)
        async with self.db.transaction() as session:
            finished_at = Ticket.closed_at
            old = (
                await session.scalars(
                    select(Ticket).where(
                        Ticket.status.in_(FINISHED),
                        Ticket.user_id != ANONYMISED,
                        or_(
                            finished_at < ticket_cutoff,
                            (finished_at.is_(None) & (Ticket.resolved_at < ticket_cutoff)),
                            (
                                finished_at.is_(None)
                                & Ticket.resolved_at.is_(None)
                                & (Ticket.updated_at < ticket_cutoff)
                            ),
                        ),
                    )
                )
            ).all()
            for ticket in old:
                extra = {k: v for k, v in (ticket.extra or {}).items() if k not in PERSONAL_EXTRA}
                extra["anonymised_at"] = now.isoformat()
                ticket.user_id = ticket.chat_id = ANONYMISED
                ticket.user_name = ""
                ticket.phone = ticket.room = None
                ticket.description = ""
                ticket.followup_answer = None
                ticket.resident_id = None
                ticket.extra = extra
            if old:
                ids = [t.id for t in old]
                await session.execute(
                    update(TicketEvent)
                    .where(TicketEvent.ticket_id.in_(ids), TicketEvent.kind.in_(PERSONAL_EVENTS))
                    .values(text=None, data={})
                    .execution_options(synchronize_session=False)
                )
                await session.execute(
                    update(TicketEvent)
                    .where(TicketEvent.ticket_id.in_(ids), TicketEvent.actor_kind == "resident")
                    .values(actor_id=None, actor_name=None)
                    .execution_options(synchronize_session=False)
                )
            result = await session.execute(
                delete(Conversation)
                .where(Conversation.updated_at < talk_cutoff)
                .execution_options(synchronize_session=False)
            )
            conversations = int(result.rowcount or 0)  # type: ignore[attr-defined]
            await session.execute(
                update(OutageReport)
                .where(OutageReport.at < talk_cutoff, OutageReport.user_id != ANONYMISED)
                .values(text="", user_name="", user_id=ANONYMISED, chat_id=ANONYMISED)
                .execution_options(synchronize_session=False)
            )
        return len(old), conversations
