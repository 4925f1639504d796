"""The flow engine. Stub until the conversation core issue."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


class FlowEngine:
    def __init__(self, app: App) -> None:
        self.app = app

    async def run_sweeper(self, stop: asyncio.Event) -> None:
        """Expire idle steps (emergencies escalate after FLOW_IDLE_ESCALATE_SECONDS)."""
        await stop.wait()

    async def sweep(self) -> int:
        """Handle every conversation whose step deadline has passed; returns count."""
        return 0
