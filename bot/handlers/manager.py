"""Managers: notices, statistics, exports. Stub until the notices issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.incoming import Incoming

if TYPE_CHECKING:
    from bot.app import App


class ManagerHandler:
    def __init__(self, app: App) -> None:
        self.app = app

    async def accepts(self, incoming: Incoming) -> bool:
        return False

    async def handle(self, incoming: Incoming) -> None:
        return None
