"""Resident profiles: building, room, phone (with consent). Stub until the core issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from bot.storage.models import Resident

if TYPE_CHECKING:
    from bot.app import App


class ProfileService:
    def __init__(self, app: App) -> None:
        self.app = app

    async def mark_unreachable(self, chat_id: str) -> None:
        """The resident blocked the bot (403): stop sending, keep the record."""
        now = self.app.clock.now()
        async with self.app.db.transaction() as session:
            await session.execute(
                update(Resident)
                .where(Resident.chat_id == chat_id)
                .values(unreachable=True, unreachable_at=now)
            )
