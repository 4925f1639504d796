""" "我的工单" (the menu button `menu:mine`, `/mytickets`): the resident's open and recently
finished tickets, each with its state, who handles it and what happens next, and buttons to
add words or a photo (`menu:add:<id>`) or to close it (`menu:close:<id>`; a ticket staff
marked resolved is confirmed fixed instead, `tk:fixed:<id>:yes`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.actions import keyboard
from bot.core.ids import strict_id
from bot.handlers.resident.base import DeskBase, DeskPart
from bot.storage.models import TicketStatus
from bot.tickets import buttons as tk

if TYPE_CHECKING:
    from bot.flows.turn import Turn
    from bot.storage.models import Ticket

RECENT_DAYS = 30  # finished tickets shown under the open ones
RECENT_SHOWN = 5
ADD_TO = "add_to"  # slot: the ticket the resident chose to add to, and when
ADD_TO_SECONDS = 1800  # the choice holds this long


class MyTickets(DeskPart):
    def __init__(self, base: DeskBase) -> None:
        super().__init__(base)

    async def show(self, turn: Turn) -> None:
        tickets = await self.ctx.tickets.of_resident(turn.chat_id)
        now = self.ctx.clock.now()
        current = [t for t in tickets if t.status in (*TicketStatus.ACTIVE, TicketStatus.RESOLVED)]
        recent = [
            t
            for t in tickets
            if t not in current and (now - t.updated_at) <= timedelta(days=RECENT_DAYS)
        ][:RECENT_SHOWN]
        if not current and not recent:
            await turn.send("resident.mine.none", buttons=self.base.menu_buttons(turn))
            return
        blocks = [turn.text("resident.mine.header")]
        rows: list[list[tuple[str, str]]] = []
        fmt = self.ctx.tickets.fmt
        for ticket in current:
            blocks.append(
                turn.text(
                    "resident.mine.item",
                    id=ticket.id,
                    intent=fmt.intent(ticket.intent, turn.locale),
                    place=fmt.place_or_unknown(ticket, turn.locale),
                    time=fmt.short(ticket.created_at),
                    state=turn.text(f"resident.mine.state.{ticket.status}"),
                    who=self._who(turn, ticket),
                    next=turn.text(f"resident.mine.next.{ticket.status}"),
                )
            )
            close = (
                tk.button_data(tk.FIXED, ticket.id, "yes")
                if ticket.status == TicketStatus.RESOLVED
                else f"menu:close:{ticket.id}"
            )
            row = [(turn.text.plain("resident.mine.button.close", id=ticket.id), close)]
            if ticket.status in TicketStatus.ACTIVE:
                add = (
                    turn.text.plain("resident.mine.button.add", id=ticket.id),
                    f"menu:add:{ticket.id}",
                )
                row.insert(0, add)
            rows.append(row)
        if recent:
            blocks.append(turn.text("resident.mine.recent_header"))
            for ticket in recent:
                blocks.append(
                    turn.text(
                        "resident.mine.recent_item",
                        id=ticket.id,
                        intent=fmt.intent(ticket.intent, turn.locale),
                        time=fmt.short(ticket.created_at),
                        state=turn.text(f"resident.mine.state.{ticket.status}"),
                    )
                )
        await turn.send_html("\n\n".join(blocks), keyboard(*rows) if rows else None)

    def _who(self, turn: Turn, ticket: Ticket) -> str:
        # staff names never reach residents: "物业工作人员", as their replies are signed
        if ticket.claimed_at is None or ticket.status in (
            TicketStatus.OPEN,
            TicketStatus.REOPENED,
        ):
            return turn.text("resident.mine.who.nobody")
        return turn.text(
            "resident.mine.who.staff", time=self.ctx.tickets.fmt.clock(ticket.claimed_at)
        )

    async def add(self, turn: Turn, arg: str) -> str | None:
        """The resident will add words or a photo to this ticket: their next messages go to it."""
        ticket = await self.mine(turn, arg)
        if ticket is None:
            await turn.send("resident.mine.not_yours")
            return None
        turn.slots[ADD_TO] = {"id": ticket.id, "at": self.ctx.clock.now().isoformat()}
        await self.engine.store.save(turn.state)
        await turn.send("resident.mine.add", id=ticket.id)
        return None

    async def mine(self, turn: Turn, arg: str) -> Ticket | None:
        ticket_id = strict_id(arg)
        ticket = await self.ctx.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.chat_id != turn.chat_id:
            return None
        if ticket.status not in TicketStatus.ACTIVE:
            return None
        return ticket

    async def chosen(self, turn: Turn) -> Ticket | None:
        """The ticket the resident chose with "补充" (recently, and still open), if any."""
        choice = turn.slots.get(ADD_TO)
        if not isinstance(choice, dict):
            return None
        try:
            at = datetime.fromisoformat(str(choice.get("at")))
        except ValueError:
            return None
        if self.ctx.clock.now() - at > timedelta(seconds=ADD_TO_SECONDS):
            return None
        return await self.mine(turn, str(choice.get("id")))
