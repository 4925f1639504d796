"""Residents in their private chat. Stub until the conversation core issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.incoming import Incoming

if TYPE_CHECKING:
    from bot.app import App


class ResidentHandler:
    def __init__(self, app: App) -> None:
        self.app = app

    async def accepts(self, incoming: Incoming) -> bool:
        return incoming.is_private

    async def handle(self, incoming: Incoming) -> None:
        return None
