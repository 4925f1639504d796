"""Residents in their private chat: commands, buttons, words and attachments -> flows.

One message at a time per chat (the flow engine's lock), the conversation state loaded from
the database, the language picked, then the front desk (`desk.py`: what the words start)
or the flow engine (the question being answered). Every button press is answered, so the spinner stops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.actions import AnswerButton
from bot.core.incoming import Incoming
from bot.flows.language import pick_locale
from bot.flows.turn import Turn

if TYPE_CHECKING:
    from bot.core.ports import Messenger, ProfileStore
    from bot.flows.engine import FlowEngine
    from bot.handlers.resident.desk import FrontDesk
    from bot.texts import Texts

FOREIGN_BUTTONS = ("tk:", "nt:")  # tickets and notices answer their own buttons


class ResidentHandler:
    def __init__(
        self,
        *,
        flows: FlowEngine,
        desk: FrontDesk,
        profiles: ProfileStore,
        texts: Texts,
        outbox: Messenger,
    ) -> None:
        self.flows = flows
        self.desk = desk
        self.profiles = profiles
        self.texts = texts
        self.outbox = outbox

    async def accepts(self, incoming: Incoming) -> bool:
        if not incoming.is_private:
            return False
        return not (incoming.button_data or "").startswith(FOREIGN_BUTTONS)

    async def handle(self, incoming: Incoming) -> None:
        engine = self.flows
        async with engine.locks(incoming.chat_id):
            state = await engine.load(incoming.chat_id, incoming.user_id)
            previous = state.slots.get("locale")
            if previous is None:
                profile = await self.profiles.get(incoming.user_id)
                previous = profile.locale if profile else None
            locale = pick_locale(self.texts, incoming.text, incoming.language_code, previous)
            turn = engine.turn(state, locale, incoming.user_name, incoming)
            turn.resident_estate = await engine.estate_of(turn)
            if locale != state.slots.get("locale"):
                state.slots["locale"] = locale
            if incoming.masked:  # "320106198807152418" sent for a phone (blind DU05)
                await turn.send("resident.id_masked")
            if incoming.is_button:
                await self._button(turn, incoming)
            elif incoming.command is not None:
                await self._command(turn, incoming.command)
            elif incoming.attachment is not None:
                await self.desk.attachment(turn, incoming.attachment, (incoming.text or "").strip())
            elif incoming.text and incoming.text.strip():
                if getattr(incoming, "edited", False):
                    await self.desk.edited(turn, incoming.text.strip())
                else:
                    await self.desk.text(turn, incoming.text.strip())

    async def _button(self, turn: Turn, incoming: Incoming) -> None:
        data = incoming.button_data or ""
        toast: str | None = None
        try:
            if data == "flow:cancel":
                await self.flows.cancel(turn)
            elif data.startswith("flow:"):
                _, step, value = [*data.split(":", 2), "", ""][:3]
                if not await self.flows.press(turn, step, value):
                    toast = "resident.toast.expired"
            elif data.startswith("menu:"):
                toast = await self.desk.choose(turn, data.removeprefix("menu:"))
            else:
                toast = "resident.toast.expired"
        finally:
            if incoming.callback_id:
                text = turn.text(toast) if toast else None
                await self.outbox.send(
                    AnswerButton(incoming.callback_id, text=text, chat_id=incoming.chat_id)
                )

    async def _command(self, turn: Turn, command: str) -> None:
        intake = self.desk
        if command == "start":
            await intake.start(turn)
        elif command == "me":
            await intake.show_me(turn)
        elif command == "forget":
            await intake.forget(turn)
        elif command == "mytickets":
            await intake.my_tickets(turn)
        elif command == "mydata":
            await intake.my_data(turn)
        elif command == "estate":
            await intake.show_estate(turn)
        elif command == "cancel":
            await self.flows.cancel(turn)
        elif turn.state.active:
            await self.flows.reask(turn)
        else:
            await intake.menu(turn)
