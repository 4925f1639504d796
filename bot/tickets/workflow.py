"""Moving a ticket: claim, on site, resolve (staff), reopen and close; and what follows each.

Every move is atomic (`TicketService.transition`); what follows it (the alert edited, the
resident told, jobs started or stopped) happens only for the one caller that won.
Staff actions return the short text for the presser's button answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func

from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.part import TicketPart
from bot.tickets.states import Actor


class Workflow(TicketPart):
    # -- staff buttons --------------------------------------------------------------------
    async def staff_action(self, action: str, ticket_id: int, actor: Actor) -> str:
        ticket = await self.tickets.get(ticket_id)
        if ticket is None:
            return self._t("staff.answer.not_found", id=ticket_id)
        if action == tk.CLAIM:
            return await self.claim(ticket, actor)
        if action == tk.ONSITE:
            return await self.on_site(ticket, actor)
        if action == tk.RESOLVE:
            return await self.resolve(ticket, actor)
        if action == tk.REPORTED:
            return await self.tickets.reports.mark_submitted(ticket, actor)
        return self._t("staff.answer.expired")

    def _claimer_values(self, actor: Actor) -> dict[str, Any]:
        """Keep the claimer if there is one; else the presser claims on the way."""
        now = self.clock.now()
        return {
            "claimed_by": func.coalesce(Ticket.claimed_by, actor.id),
            "claimed_by_name": func.coalesce(Ticket.claimed_by_name, actor.name),
            "claimed_at": func.coalesce(Ticket.claimed_at, now),
        }

    async def _refused(self, ticket_id: int, actor: Actor) -> str:
        """Why a button did nothing: someone else has it, or the ticket moved on."""
        fresh = await self.tickets.get(ticket_id)
        if fresh is None:
            return self._t("staff.answer.not_found", id=ticket_id)
        if fresh.status in (states.CLAIMED, states.ON_SITE):
            if fresh.claimed_by == actor.id:
                return self._t(
                    "staff.answer.already_yours",
                    id=fresh.id,
                    state=self.tickets.alerts.state_name(fresh.status),
                )
            return self._t("staff.answer.taken", id=fresh.id, name=fresh.claimed_by_name or "-")
        return self._t(
            "staff.answer.wrong_state",
            id=fresh.id,
            state=self.tickets.alerts.state_name(fresh.status),
        )

    async def _move(
        self, ticket: Ticket, actor: Actor, allowed: Sequence[str], to: str, values: dict[str, Any]
    ) -> Ticket | str:
        """One staff move: the ticket as it is now, or the answer saying why nothing moved."""
        done = await self.tickets.transition(
            ticket.id, allowed=allowed, to=to, event=to, actor=actor, values=values
        )
        if done is None:
            return await self._refused(ticket.id, actor)
        await self.cancel(jobs.CLAIM_REMINDER, jobs.ONSITE_REMINDER, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        return done

    async def claim(self, ticket: Ticket, actor: Actor) -> str:
        now = self.clock.now()
        values = {"claimed_by": actor.id, "claimed_by_name": actor.name, "claimed_at": now}
        done = await self._move(ticket, actor, states.CLAIM_FROM, states.CLAIMED, values)
        if isinstance(done, str):
            return done
        await self.tickets.relay.notify_resident(done, "tickets.claimed")
        await self.tickets.reminders.start_onsite_clock(done)
        return self._t("staff.answer.claimed", id=done.id)

    async def on_site(self, ticket: Ticket, actor: Actor) -> str:
        if self.tickets.closing.blocks_work(ticket):  # a paid repair not accepted yet
            return self._t("desk.quote.blocks", id=ticket.id)
        values = {**self._claimer_values(actor), "on_site_at": self.clock.now()}
        done = await self._move(ticket, actor, states.ONSITE_FROM, states.ON_SITE, values)
        if isinstance(done, str):
            return done
        await self.tickets.relay.notify_resident(done, "tickets.on_site")
        return self._t("staff.answer.on_site", id=done.id)

    async def resolve(self, ticket: Ticket, actor: Actor) -> str:
        values = {
            **self._claimer_values(actor),
            "resolved_at": self.clock.now(),
            "close_reason": "resolved",
        }
        done = await self._move(ticket, actor, states.RESOLVE_FROM, states.RESOLVED, values)
        if isinstance(done, str):
            return done
        await self.tickets.feedback.ask_fixed(done)
        await self.tickets.reports.on_resolved(done, actor)
        return self._t("staff.answer.resolved", id=done.id)

    # -- the resident's side --------------------------------------------------------------
    async def close(
        self, ticket_id: int, actor: Actor, reason: str, **values: object
    ) -> Ticket | None:
        """resolved -> closed (the resident confirmed, or nobody answered in time)."""
        done = await self.tickets.transition(
            ticket_id,
            allowed=(states.RESOLVED,),
            to=states.CLOSED,
            event="closed",
            actor=actor,
            values={"closed_at": self.clock.now(), **values},
            data={"reason": reason},
        )
        if done is None:
            return None
        await self.cancel(jobs.AUTO_CLOSE, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        await self.tickets.followups.plan(done)
        return done

    async def cancel_by_resident(self, ticket_id: int, actor: Actor) -> Ticket | None:
        """The resident says it is no longer needed ("没事了，不用来了") and confirms."""
        done = await self.tickets.transition(
            ticket_id,
            allowed=states.RESOLVE_FROM,
            to=states.CANCELLED,
            event="cancelled",
            actor=actor,
            values={"closed_at": self.clock.now()},
            data={"reason": "resident"},
        )
        if done is None:
            return None
        await self.cancel(jobs.CLAIM_REMINDER, jobs.ONSITE_REMINDER, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        await self.tickets.alerts.note(done, "staff.reminder.cancelled")
        return done

    async def reopen(
        self,
        ticket_id: int,
        actor: Actor,
        reason: str,
        *,
        allowed: tuple[str, ...],
        text: str | None = None,
        where: Sequence[Any] = (),
        **values: object,
    ) -> Ticket | None:
        """The resident says it is not fixed: back to waiting, supervisors told at once."""
        done = await self.tickets.transition(
            ticket_id,
            allowed=allowed,
            to=states.REOPENED,
            event="reopened",
            actor=actor,
            values={
                "claimed_by": None,
                "claimed_by_name": None,
                "claimed_at": None,
                "on_site_at": None,
                "resolved_at": None,
                "closed_at": None,
                "close_reason": None,
                "reminders_sent": 0,
                **values,
            },
            text=text,
            data={"reason": reason},
            where=where,
        )
        if done is None:
            return None
        await self.cancel(jobs.AUTO_CLOSE, jobs.FOLLOWUP, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        await self.tickets.alerts.note(
            done, f"staff.reopened.{reason}", with_buttons=True, answer=text or ""
        )
        await self.tickets.reminders.escalate_reopened(done, reason, text or "")
        await self.tickets.reminders.start_claim_clock(done)
        return done
