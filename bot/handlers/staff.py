"""Staff: the staff group (alerts, buttons, replies, commands). Stub until the handoff issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.actions import SendText
from bot.core.incoming import Incoming

if TYPE_CHECKING:
    from bot.app import App


class StaffHandler:
    def __init__(self, app: App) -> None:
        self.app = app

    async def accepts(self, incoming: Incoming) -> bool:
        return (not incoming.is_private) or incoming.command == "whereami"

    async def handle(self, incoming: Incoming) -> None:
        if incoming.command == "whereami":
            await self.app.outbox.send(SendText(incoming.chat_id, f"chat id: <code>{incoming.chat_id}</code>"))
