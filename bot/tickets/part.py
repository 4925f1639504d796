"""`TicketPart`: what every piece of the ticket service shares (the App, its siblings, texts)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.tickets import jobs

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

    async def schedule(self, kind: str, ticket_id: int, run_at: datetime) -> None:
        """This ticket's job of `kind` at `run_at` (one per ticket and kind: replaces)."""
        await self.app.scheduler.schedule(
            kind, run_at, {"ticket_id": ticket_id}, jobs.job_id(kind, ticket_id)
        )

    async def cancel(self, *kinds: str, ticket_id: int) -> None:
        for kind in kinds:
            await self.app.scheduler.cancel(jobs.job_id(kind, ticket_id))

    def _t(self, key: str, /, **values: object) -> str:
        """A staff-facing text, in the deployment's locale."""
        return self.app.texts.get(key, self.app.settings.locale, **values)
