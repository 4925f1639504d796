"""`TicketPart`: what every piece of the ticket service shares (the App, its siblings, texts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App
    from bot.tickets.formatting import Formatter
    from bot.tickets.service import TicketService


class TicketPart:
    """A piece of the ticket service; reaches the other pieces through `app.tickets`."""

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def tickets(self) -> TicketService:
        return self.app.tickets

    @property
    def fmt(self) -> Formatter:
        return self.app.tickets.fmt

    def _t(self, key: str, /, **values: object) -> str:
        """A staff-facing text, in the deployment's locale."""
        return self.app.texts.get(key, self.app.settings.locale, **values)
