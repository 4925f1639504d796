"""Jobs that survive restarts. Stub until the handoff issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


class JobScheduler:
    def __init__(self, app: App) -> None:
        self.app = app

    async def start(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def run_due(self) -> int:
        """Run every job due at `app.clock.now()` (tests with a fake clock); returns count."""
        return 0
