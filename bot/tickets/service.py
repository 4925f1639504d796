"""Tickets. Stub until the core and handoff issues."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


class TicketService:
    def __init__(self, app: App) -> None:
        self.app = app
