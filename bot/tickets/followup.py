"""Follow-up visits (回访) after a ticket closes, as the procedures require.

- Complaints: every one, `FOLLOWUP_COMPLAINT_DAYS` (7) after closing.
- Repairs: a sample (`FOLLOWUP_REPAIR_SAMPLE_RATE`, 0.3), `FOLLOWUP_REPAIR_DAYS` (10) after
  closing. The sample is a hash of the ticket number: the same ticket is always in or out,
  on every machine, so tests and audits can rely on it.
- Sent in the daytime: a visit falling between 20:00 and 09:00 local time moves to 10:00.
- The answer (满意 / 一般 / 不满意) is recorded on the ticket (`followup_answer` and an
  event); 不满意 reopens it and goes to the supervisors and the managers.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any

from bot.core.actions import keyboard
from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.part import TicketPart
from bot.tickets.states import SYSTEM, Actor

COMPLAINT = "complaint"
REPAIR = "repair"
DAY_STARTS = time(9, 0)
DAY_ENDS = time(20, 0)
SEND_AT = time(10, 0)
ANSWERS = ("good", "ok", "bad")


def in_sample(ticket_id: int, rate: float) -> bool:
    """Deterministic per ticket: True for about `rate` of all ticket numbers."""
    digest = hashlib.sha256(f"followup:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


class FollowUps(TicketPart):
    def due_at(self, ticket: Ticket) -> datetime | None:
        """When this ticket's follow-up is due, or None when it gets none."""
        s = self.settings
        if ticket.intent == COMPLAINT:
            days = s.followup_complaint_days
        elif ticket.intent == REPAIR and in_sample(ticket.id, s.followup_repair_sample_rate):
            days = s.followup_repair_days
        else:
            return None
        closed = ticket.closed_at or self.clock.now()
        return self.daytime(closed + timedelta(days=days))

    def daytime(self, when: datetime) -> datetime:
        local = self.tickets.fmt.local(when)
        if local.time() < DAY_STARTS:
            local = datetime.combine(local.date(), SEND_AT, tzinfo=local.tzinfo)
        elif local.time() >= DAY_ENDS:
            local = datetime.combine(local.date() + timedelta(days=1), SEND_AT, tzinfo=local.tzinfo)
        return local.astimezone(when.tzinfo)

    async def plan(self, ticket: Ticket) -> None:
        due = self.due_at(ticket)
        if due is None:
            return
        await self.schedule(jobs.FOLLOWUP, ticket.id, due)
        await self.tickets.record(
            ticket.id, "followup_planned", SYSTEM, data={"at": due.isoformat()}
        )

    async def followup_job(self, payload: dict[str, Any]) -> None:
        ticket = await self.tickets.get(int(payload["ticket_id"]))
        if ticket is None or ticket.status != states.CLOSED or ticket.followup_answer is not None:
            return
        if await self._was_sent(ticket.id):
            return
        t = self.tickets.fmt.resident_texts(ticket)
        buttons = keyboard(
            [
                (
                    t(f"tickets.button.followup_{a}"),
                    tk.button_data(tk.FOLLOWUP, ticket.id, a),
                )
                for a in ANSWERS
            ]
        )
        await self.tickets.record(ticket.id, "followup_sent", SYSTEM)
        await self.tickets.relay.notify_resident(
            ticket,
            "tickets.followup",
            buttons=buttons,
            ref=f"ticket:{ticket.id}:followup",
            **self._question_values(ticket),
        )

    def _question_values(self, ticket: Ticket) -> dict[str, Any]:
        locale = self.tickets.fmt.resident_locale(ticket)
        return {
            "date": self.tickets.fmt.date(ticket.created_at),
            "intent": self.tickets.fmt.intent(ticket.intent, locale),
        }

    async def _was_sent(self, ticket_id: int) -> bool:
        return any(e.kind == "followup_sent" for e in await self.tickets.events(ticket_id))

    async def answer(self, ticket: Ticket, actor: Actor, value: str) -> str:
        """The resident's follow-up answer; returns the button answer."""
        t = self.tickets.fmt.resident_texts(ticket).section("tickets")
        if value not in ANSWERS or not await self._was_sent(ticket.id):
            return t("expired")
        label = t(f"button.followup_{value}")
        if value == "bad":
            done = await self.tickets.workflow.reopen(
                ticket.id,
                actor,
                "followup",
                allowed=(states.CLOSED,),
                text=label,
                where=(Ticket.followup_answer.is_(None),),
                followup_answer=value,
            )
            recorded = done is not None
        else:
            recorded = await self.tickets.set_values(
                ticket.id, Ticket.followup_answer.is_(None), followup_answer=value
            )
        if not recorded:
            return t("already")
        await self.tickets.record(
            ticket.id, "followup_answer", actor, text=label, data={"value": value}
        )
        await self.tickets.relay.settle_question(
            ticket,
            "tickets.followup",
            f"ticket:{ticket.id}:followup",
            label,
            **self._question_values(ticket),
        )
        fresh = await self.tickets.get(ticket.id) or ticket
        if value == "bad":
            await self.tickets.relay.notify_resident(fresh, "tickets.followup_sorry")
        else:
            await self.tickets.relay.notify_resident(fresh, "tickets.followup_thanks")
            await self.tickets.alerts.refresh(fresh)
        return t("thanks")
