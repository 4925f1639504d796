"""The resident's word at the end: "is it fixed?" (是/否), then a 1-5 rating.

是 closes the ticket; 否 reopens it and tells the supervisors. Nobody answering within
`TICKET_AUTOCLOSE_SECONDS` closes it too. Only the ticket's own resident can answer; each
question is answered once (a second tap, or a replayed button, changes nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_

from bot.core.actions import keyboard
from bot.core.incoming import Incoming
from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.part import TicketPart
from bot.tickets.states import SYSTEM, Actor


class ResidentFeedback(TicketPart):
    # -- asking ---------------------------------------------------------------------------
    async def ask_fixed(self, ticket: Ticket) -> None:
        t = self.tickets.fmt.resident_texts(ticket).section("tickets.button")
        buttons = keyboard(
            [
                (
                    t("fixed_yes"),
                    tk.button_data(tk.FIXED, ticket.id, "yes"),
                ),
                (
                    t("fixed_no"),
                    tk.button_data(tk.FIXED, ticket.id, "no"),
                ),
            ]
        )
        await self.tickets.relay.notify_resident(
            ticket, _resolved_key(ticket), buttons=buttons, ref=f"ticket:{ticket.id}:ask_fixed"
        )
        run_at = self.clock.now() + timedelta(
            seconds=self.settings.ticket_autoclose_seconds
        )
        await self.schedule(jobs.AUTO_CLOSE, ticket.id, run_at)

    async def ask_rating(self, ticket: Ticket) -> None:
        t = self.tickets.fmt.resident_texts(ticket)
        row = [
            (
                t("tickets.button.rate", n=n),
                tk.button_data(tk.RATE, ticket.id, str(n)),
            )
            for n in range(1, 6)
        ]
        await self.tickets.relay.notify_resident(
            ticket,
            "tickets.ask_rating",
            buttons=keyboard(row),
            ref=f"ticket:{ticket.id}:ask_rating",
        )

    # -- answers --------------------------------------------------------------------------
    async def press(self, button: tk.TicketButton, incoming: Incoming) -> str:
        """A resident's button on their own ticket; returns the button answer."""
        answer = self.texts.bind(self.texts.pick_locale(incoming.language_code), "tickets")
        ticket = await self.tickets.get(button.ticket_id)
        if ticket is None or ticket.user_id != incoming.user_id:
            return answer("not_yours")
        actor = Actor("resident", incoming.user_id, incoming.user_name or ticket.user_name)
        if button.action == tk.FIXED and button.value == "yes":
            return await self._fixed(ticket, actor)
        if button.action == tk.FIXED:
            return await self._not_fixed(ticket, actor)
        if button.action == tk.RATE and button.value is not None:
            return await self._rate(ticket, actor, int(button.value))
        if button.action == tk.FOLLOWUP and button.value is not None:
            return await self.tickets.followups.answer(ticket, actor, button.value)
        return answer("expired")

    def _r(self, ticket: Ticket, key: str, /, **values: Any) -> str:
        return self.tickets.fmt.resident_texts(ticket)(key, id=ticket.id, **values)

    async def _fixed(self, ticket: Ticket, actor: Actor) -> str:
        closed = await self.tickets.workflow.close(ticket.id, actor, "confirmed", fixed=True)
        if closed is None:
            # closed by the timeout before the resident answered: still record the answer
            late = ticket.status == states.CLOSED and await self.tickets.set_values(
                ticket.id, Ticket.fixed.is_(None), fixed=True
            )
            if not late:
                return self._r(ticket, "tickets.already")
            await self.tickets.record(ticket.id, "confirmed", actor)
            closed = ticket
        await self.tickets.relay.settle_question(
            closed,
            _resolved_key(ticket),
            f"ticket:{ticket.id}:ask_fixed",
            self._r(ticket, "tickets.button.fixed_yes"),
        )
        if ticket.severity == "emergency":  # after a fire, no stars in the same breath
            await self.tickets.relay.notify_resident(closed, "tickets.safe_thanks")
        else:
            await self.ask_rating(closed)
        return self._r(ticket, "tickets.thanks")

    async def _not_fixed(self, ticket: Ticket, actor: Actor) -> str:
        reopened = await self.tickets.workflow.reopen(
            ticket.id,
            actor,
            "not_fixed",
            allowed=(states.RESOLVED, states.CLOSED),
            fixed=False,
            # closed by the timeout: yes; closed because they said it was fixed: no
            where=(or_(Ticket.status == states.RESOLVED, Ticket.fixed.is_(None)),),
        )
        if reopened is None:
            return self._r(ticket, "tickets.already")
        await self.tickets.relay.settle_question(
            reopened,
            _resolved_key(ticket),
            f"ticket:{ticket.id}:ask_fixed",
            self._r(ticket, "tickets.button.fixed_no"),
        )
        await self.tickets.relay.notify_resident(reopened, "tickets.not_fixed")
        return self._r(ticket, "tickets.sorry")

    async def _rate(self, ticket: Ticket, actor: Actor, rating: int) -> str:
        rated = await self.tickets.set_values(
            ticket.id,
            Ticket.rating.is_(None),
            Ticket.status.in_((states.RESOLVED, states.CLOSED)),
            rating=rating,
        )
        if not rated:
            return self._r(ticket, "tickets.already")
        await self.tickets.record(ticket.id, "rated", actor, data={"value": rating})
        fresh = await self.tickets.get(ticket.id) or ticket
        await self.tickets.relay.settle_question(
            fresh,
            "tickets.ask_rating",
            f"ticket:{ticket.id}:ask_rating",
            self._r(ticket, "tickets.button.rate", n=rating),
        )
        low = rating <= self.settings.low_rating_threshold
        await self.tickets.relay.notify_resident(
            fresh, "tickets.rated_low" if low else "tickets.rated"
        )
        await self.tickets.alerts.refresh(fresh)
        if low:
            await self.tickets.reminders.escalate_low_rating(fresh, rating)
        return self._r(ticket, "tickets.thanks")

    # -- typed instead of tapped --------------------------------------------------------
    async def typed(
        self, ticket: Ticket, incoming: Incoming, *, fixed: bool | None, stars: int | None
    ) -> bool:
        """The resident typed the answer to "问题解决了吗？" or to the rating instead of tapping
        ("修了一半", "好了谢谢", "三颗星吧": `fixed` and `stars` as the desk read them, None
        when not said): taken as the button would be. False when they answer neither."""
        actor = Actor("resident", incoming.user_id, incoming.user_name or ticket.user_name)
        if ticket.status == states.RESOLVED:
            if fixed is False:
                await self._not_fixed(ticket, actor)
                return True
            if fixed or stars is not None:
                await self._fixed(ticket, actor)
                if stars is not None and ticket.severity != "emergency":
                    fresh = await self.tickets.get(ticket.id) or ticket
                    await self._rate(fresh, actor, stars)
                return True
            return False
        if ticket.status == states.CLOSED and stars is not None and ticket.rating is None:
            await self._rate(ticket, actor, stars)
            return True
        return False

    # -- nobody answered ------------------------------------------------------------------
    async def auto_close_job(self, payload: dict[str, Any]) -> None:
        await self.tickets.workflow.close(int(payload["ticket_id"]), SYSTEM, "timeout")


def _resolved_key(ticket: Ticket) -> str:
    """After an emergency the first question is whether everyone is safe."""
    return "tickets.resolved_emergency" if ticket.severity == "emergency" else "tickets.resolved"
