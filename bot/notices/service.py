"""Outage notices. Stub until the notices issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


class NoticeService:
    def __init__(self, app: App) -> None:
        self.app = app
