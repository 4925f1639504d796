"""Closing with a reason, duplicates merged, paid repairs.

- 🗂 结单… (`tk:close:N`) offers the reasons: false alarm (误报), resident unreachable
  (联系不上), cancelled by the resident (住户取消); a duplicate needs the other number:
  `/dup N M`. Only "resolved" (`/resolve N [note]`, the ✅ button) asks the resident to confirm
  and rate; every other reason closes at once and tells the resident plainly, without stars.
- `/dup N M`: #N is closed as a duplicate of #M (`merged_into`); #N's resident follows #M:
  told now, told of #M's progress, and their new messages go to #M.
- `/quote N 金额 [说明]` (有偿维修确认): the resident gets the cost with accept / decline
  buttons; nobody can mark "on site" until they accept.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from bot.core.actions import SendPhoto, SendText, keyboard
from bot.core.incoming import AttachmentKind, Incoming
from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.alerts import alert_ref
from bot.tickets.part import TicketPart
from bot.tickets.states import Actor

MENU_REASONS = ("false_alarm", "unreachable", "cancelled")
REASONS = ("resolved", "false_alarm", "duplicate", "unreachable", "cancelled")


class Closing(TicketPart):
    # -- the menu --------------------------------------------------------------------------
    async def menu(self, ticket: Ticket, chat_id: str) -> str:
        if ticket.status not in states.RESOLVE_FROM:
            return self._t(
                "staff.answer.wrong_state",
                id=ticket.id,
                state=self.tickets.alerts.state_name(ticket.status),
            )
        rows = [
            [(self._t(f"desk.close.button.{r}"), tk.button_data(tk.CLOSE, ticket.id, r))]
            for r in MENU_REASONS
        ]
        await self.outbox.send(
            SendText(
                chat_id,
                self._t("desk.close.menu", id=ticket.id),
                keyboard(*rows),
                reply_to=alert_ref(ticket.id),
                ref=f"ticket:{ticket.id}:close_menu",
            )
        )
        return self._t("desk.close.menu_answer", id=ticket.id)

    # -- closing ---------------------------------------------------------------------------
    async def close(
        self,
        ticket: Ticket,
        actor: Actor,
        reason: str,
        *,
        note: str | None = None,
        merged_into: int | None = None,
        tell: bool = True,
    ) -> str:
        """Close an active ticket for `reason` (not "resolved": see Workflow.resolve); the
        resident is told unless `tell` is False."""
        done = await self.tickets.transition(
            ticket.id,
            allowed=states.RESOLVE_FROM,
            to=states.CANCELLED if reason == "cancelled" else states.CLOSED,
            event="closed",
            actor=actor,
            values={
                "closed_at": self.clock.now(),
                "close_reason": reason,
                "merged_into": merged_into,
            },
            text=note,
            data={"reason": reason, **({"value": merged_into} if merged_into else {})},
        )
        if done is None:
            return await self.tickets.workflow._refused(ticket.id, actor)
        await self.cancel(jobs.CLAIM_REMINDER, jobs.ONSITE_REMINDER, jobs.DUE, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        if tell:
            await self.tickets.relay.notify_resident(
                done, f"tickets.closed_{reason}", other=merged_into or ""
            )
        return self._t("desk.close.done", id=done.id, reason=self._t(f"desk.close.reason.{reason}"))

    async def duplicate(
        self, ticket: Ticket, other_id: int, actor: Actor, *, taken_over: bool = False
    ) -> str:
        """#`ticket` closed as a duplicate of #`other_id` (`/dup`); `taken_over`: by the bot,
        for the same resident's emergency that followed it (flows/ticketing.py), whose
        resident is not told (the emergency's own messages name its ticket)."""
        other = await self.tickets.get(other_id)
        if other is None:
            return self._t("staff.answer.not_found", id=other_id)
        if other.id == ticket.id or other.status not in states.RESOLVE_FROM:
            return self._t("desk.close.dup_refused", id=ticket.id, other=other.id)
        answer = await self.close(
            ticket, actor, "duplicate", merged_into=other.id, tell=not taken_over
        )
        fresh = await self.tickets.get(ticket.id)
        if fresh is None or fresh.merged_into != other.id:
            return answer
        followers = list((other.extra or {}).get("followers") or [])
        if ticket.chat_id != other.chat_id and ticket.chat_id not in followers:
            followers.append(ticket.chat_id)
            await self.tickets.set_values(
                other.id, extra={**(other.extra or {}), "followers": followers}
            )
        await self.tickets.record(other.id, "merged", actor, data={"value": ticket.id})
        merged = await self.tickets.get(other.id) or other
        key = "desk.close.taken_over" if taken_over else "desk.close.merged"
        await self.tickets.alerts.note(merged, key, other=ticket.id)
        return answer

    # -- resolved, with a note or a photo --------------------------------------------------
    async def resolve(self, ticket: Ticket, actor: Actor, incoming: Incoming, note: str) -> str:
        """`/resolve N [note]` (a photo may carry it as its caption): the note and photo go
        to the resident first, then the usual "is it fixed?"."""
        if ticket.status not in states.RESOLVE_FROM:
            return await self.tickets.workflow._refused(ticket.id, actor)
        attachment = incoming.attachment
        photo = (
            attachment.file_id
            if attachment is not None and attachment.kind is AttachmentKind.PHOTO
            else None
        )
        if note or photo:
            await self.tickets.record(
                ticket.id,
                "resolve_note",
                actor,
                text=note or None,
                data={"file_id": photo} if photo else {},
            )
            t = self.tickets.fmt.resident_texts(ticket)
            text = t("tickets.resolve_note", id=ticket.id, text=note)
            if photo:
                await self.outbox.send(
                    SendPhoto(
                        ticket.chat_id, photo=photo, caption=text, ref=f"ticket:{ticket.id}:staff"
                    )
                )
            else:
                await self.outbox.send(
                    SendText(ticket.chat_id, text, ref=f"ticket:{ticket.id}:staff")
                )
        return await self.tickets.workflow.resolve(ticket, actor)

    # -- paid repair (有偿维修确认) ----------------------------------------------------------
    def quote_of(self, ticket: Ticket) -> dict[str, str] | None:
        quote = (ticket.extra or {}).get("quote")
        return quote if isinstance(quote, dict) else None

    def blocks_work(self, ticket: Ticket) -> bool:
        """A paid repair not (yet) accepted: nobody goes to work on it."""
        quote = self.quote_of(ticket)
        return quote is not None and quote.get("state") != "accepted"

    async def quote(self, ticket: Ticket, actor: Actor, args: str) -> str:
        amount_text, _, what = args.strip().partition(" ")
        try:
            amount = Decimal(amount_text.removeprefix("¥").removesuffix("元"))
        except InvalidOperation:
            return self._t("desk.usage.quote")
        if amount <= 0 or ticket.status not in states.RESOLVE_FROM:
            return self._t("desk.usage.quote")
        quote = {"amount": f"{amount:.2f}", "text": what.strip(), "state": "pending"}
        await self.tickets.set_values(ticket.id, extra={**(ticket.extra or {}), "quote": quote})
        await self.tickets.record(
            ticket.id, "quote", actor, text=what.strip() or None, data={"value": quote["amount"]}
        )
        label = self.tickets.fmt.resident_texts(ticket).section("tickets.button")
        buttons = keyboard(
            [
                (label("quote_yes"), tk.button_data(tk.QUOTE, ticket.id, "yes")),
                (label("quote_no"), tk.button_data(tk.QUOTE, ticket.id, "no")),
            ]
        )
        await self.tickets.relay.notify_resident(
            ticket,
            "tickets.quote",
            buttons=buttons,
            ref=f"ticket:{ticket.id}:quote",
            amount=quote["amount"],
            what=quote["text"] or "-",
        )
        fresh = await self.tickets.get(ticket.id) or ticket
        await self.tickets.alerts.refresh(fresh)
        return self._t("desk.quote.sent", id=ticket.id, amount=quote["amount"])

    async def answer_quote(self, ticket: Ticket, actor: Actor, accepted: bool) -> str:
        t = self.tickets.fmt.resident_texts(ticket).section("tickets")
        quote = self.quote_of(ticket)
        if quote is None or quote.get("state") != "pending":
            return t("already", id=ticket.id)
        state = "accepted" if accepted else "declined"
        await self.tickets.set_values(
            ticket.id, extra={**(ticket.extra or {}), "quote": {**quote, "state": state}}
        )
        await self.tickets.record(
            ticket.id, f"quote_{state}", actor, data={"value": quote["amount"]}
        )
        fresh = await self.tickets.get(ticket.id) or ticket
        await self.tickets.relay.settle_question(
            fresh,
            "tickets.quote",
            f"ticket:{ticket.id}:quote",
            t(f"button.quote_{'yes' if accepted else 'no'}"),
            amount=quote["amount"],
            what=quote.get("text") or "-",
        )
        await self.tickets.alerts.refresh(fresh)
        await self.tickets.alerts.note(fresh, f"desk.quote.{state}", amount=quote["amount"])
        return t(f"quote_{state}", id=ticket.id)
