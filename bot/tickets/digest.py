"""The shift hand-over digest (交接班): at each `DIGEST_TIMES` local time, to every team group
(its own tickets) and the main group (all of them): open, unclaimed, overdue, claimed but
not on site, incident reports due; with buttons to list them. `/digest` shows it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.core.actions import SendText, keyboard
from bot.storage.models import Ticket, TicketEvent
from bot.tickets import jobs, states
from bot.tickets.part import TicketPart

DIGEST_JOB_ID = "desk:digest"
DESK_PREFIX = "desk:"  # button data: desk:open[:overdue|:unclaimed]


def digest_times(text: str) -> list[time]:
    """ "08:00, 20:00" -> [08:00, 20:00] (sorted, duplicates dropped)."""
    found = {
        time.fromisoformat(part.strip())
        for part in text.replace(";", ",").split(",")
        if part.strip()
    }
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Counts:
    open: int
    unclaimed: int
    overdue: int
    not_on_site: int
    reports_due: int


class Digest(TicketPart):
    # -- when ------------------------------------------------------------------------------
    def next_run(self, after: datetime) -> datetime | None:
        times = digest_times(self.settings.digest_times)
        if not times:
            return None
        local = self.fmt.local(after)
        for days in range(0, 2):
            day = local.date() + timedelta(days=days)
            for at in times:
                moment = datetime.combine(day, at, local.tzinfo)
                if moment > local:
                    return moment
        return None  # unreachable: tomorrow always has a time

    async def plan_next(self) -> None:
        """Schedule the next digest (at start, and after each one)."""
        run_at = self.next_run(self.clock.now())
        if run_at is None:
            await self.scheduler.cancel(DIGEST_JOB_ID)
            return
        await self.scheduler.schedule(
            jobs.DIGEST, run_at, {"at": run_at.isoformat()}, DIGEST_JOB_ID
        )

    async def digest_job(self, payload: dict[str, Any]) -> None:
        at = payload.get("at")
        when = datetime.fromisoformat(at) if isinstance(at, str) else None
        chats: list[str] = []
        for estate in self.tickets.estates.all:  # every estate's team groups, then its group
            chats += [*(t.chat_id for t in estate.teams.teams), estate.staff_chat_id]
        company = self.tickets.estates.company_chat
        if self.tickets.estates.several and company and company not in chats:
            chats.append(company)  # the company group: every estate's
        for chat in dict.fromkeys(chats):
            await self.send(chat, when)
        await self.plan_next()

    # -- what ------------------------------------------------------------------------------
    async def tickets_for(self, chat_id: str) -> Sequence[Ticket]:
        return self.tickets.seen_in(chat_id, await self.tickets.active_tickets())

    async def counts(self, chat_id: str) -> Counts:
        now = self.clock.now()
        active = await self.tickets_for(chat_id)
        reports = await self._reports_due(chat_id)
        return Counts(
            open=len(active),
            unclaimed=sum(t.status in states.WAITING for t in active),
            overdue=sum(t.due_at is not None and t.due_at <= now for t in active),
            not_on_site=sum(t.status == states.CLAIMED for t in active),
            reports_due=reports,
        )

    async def _reports_due(self, chat_id: str) -> int:
        async with self.db.session() as session:
            due = (
                await session.scalars(select(Ticket).where(Ticket.report_due_at.is_not(None)))
            ).all()
            submitted = set(
                (
                    await session.scalars(
                        select(TicketEvent.ticket_id).where(TicketEvent.kind == "report_submitted")
                    )
                ).all()
            )
        return sum(t.id not in submitted for t in self.tickets.seen_in(chat_id, due))

    async def render(self, chat_id: str, when: datetime | None = None) -> str:
        """The digest for this group: its team's tickets, an estate's group its estate's
        (the main or company group: all)."""
        c = await self.counts(chat_id)
        team = self.tickets.team_of_chat(chat_id)
        estates = self.tickets.estates
        estate = estates.of_chat(chat_id) if estates.several else None
        if team is not None:
            whose = team.name
        elif estate is not None:  # an estate's group: its estate's tickets
            whose = estate.name
        else:
            whose = self._t("desk.digest.all")
        return self._t(
            "desk.digest.text",
            team=whose,
            time=self.fmt.short(when or self.clock.now()),
            open=c.open,
            unclaimed=c.unclaimed,
            overdue=c.overdue,
            not_on_site=c.not_on_site,
            reports=c.reports_due,
        )

    async def send(self, chat_id: str, when: datetime | None = None) -> None:
        buttons = keyboard(
            [
                (self._t("desk.digest.button.open"), "desk:open"),
                (self._t("desk.digest.button.overdue"), "desk:open:overdue"),
            ]
        )
        await self.outbox.send(
            SendText(chat_id, await self.render(chat_id, when), buttons, ref="desk:digest")
        )
