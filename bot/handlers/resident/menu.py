"""The menu's buttons (`menu:`): report, emergency, FAQ, register, remember, close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.ids import strict_id
from bot.handlers.resident.base import (
    EMERGENCY_MENU,
    DeskBase,
    DeskPart,
)
from bot.handlers.resident.open_ticket import ticket_state
from bot.intents import taxonomy as tx
from bot.tickets.states import Actor

if TYPE_CHECKING:
    from bot.flows.turn import Turn
    from bot.handlers.resident.intake import Intake
    from bot.handlers.resident.mine import MyTickets
    from bot.handlers.resident.profile import ProfileDesk


class Menu(DeskPart):
    def __init__(
        self, base: DeskBase, intake: Intake, profile: ProfileDesk, mine: MyTickets
    ) -> None:
        super().__init__(base)
        self.intake = intake
        self.profile = profile
        self.mine = mine

    async def choose(self, turn: Turn, choice: str) -> str | None:
        """A `menu:` button. Returns the text key of a short notice on the button, if any."""
        head, _, arg = choice.partition(":")
        flow = self.engine.flow_of(turn.state)
        starts_emergency = head == "em" and tx.is_emergency(arg)
        if flow is not None and flow.emergency and not starts_emergency and head != "remember":
            await self.engine.reask(turn)
            return "resident.toast.finish_first"
        if head == "em" and arg in EMERGENCY_MENU:
            carry = self.base.carried(turn) if flow is not None else self.base.pending(turn)
            label = turn.text(f"safety.{arg}.name")
            if tx.is_emergency(arg):
                carry["source"] = "menu"
                await self.intake.start_emergency(turn, arg, label, carry=carry)
            else:
                await self.base.leave(turn)
                await self.intake.by_intent(turn, arg, label)
            return None
        if head == "remember":
            return await self.profile.remember(turn, arg == "yes")
        if head in ("close", "keep"):
            return await self._close_or_keep(turn, head == "close", arg)
        if head == "add":
            return await self.mine.add(turn, arg)
        if head == "estate":
            return await self.profile.choose_estate(turn, arg)
        await self.base.leave(turn)
        if head == "emergency":
            await turn.send("resident.menu.emergency", buttons=self.base.emergency_buttons(turn))
        elif head in (tx.REPAIR, tx.COMPLAINT):
            slots = {
                **self.base.pending(turn),
                "intent": head,
                "name": turn.user_name,
                "source": "menu",
            }
            await self.engine.begin(turn, head, slots)
        elif head == tx.INQUIRY:
            await turn.send("resident.inquiry.ask", buttons=self.base.faq_buttons(turn))
        elif head == "faq":
            entry = self.faq(turn).entry(arg, turn.locale)
            if entry is None:
                return "resident.toast.expired"
            await self.base.send_faq(turn, entry.answer)
        elif head == "human":
            await self.intake.to_staff(
                turn, tx.HUMAN_AGENT, turn.text("resident.human.by_menu"), "resident.human.done"
            )
        elif head == "mine":
            await self.mine.show(turn)
        elif head == "register":
            await self.profile.register(turn, consented=True)
        else:
            await self.base.menu(turn)
        return None

    async def _close_or_keep(self, turn: Turn, close: bool, arg: str) -> str | None:
        ticket_id = strict_id(arg)
        ticket = await self.ctx.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.chat_id != turn.chat_id:
            return "resident.toast.expired"
        if close:
            actor = Actor("resident", turn.user_id, turn.user_name)
            done = await self.ctx.tickets.workflow.cancel_by_resident(ticket.id, actor)
            if done is None:
                return "resident.toast.expired"
            await turn.send("tickets.open.closed", id=ticket.id)
            return None
        state = ticket_state(turn, ticket)
        await turn.send("tickets.open.kept", id=ticket.id, state=state)
        return None
