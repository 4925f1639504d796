"""`TicketPart`: what every piece of the ticket service shares (its collaborators, texts)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.tickets import jobs

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger, Scheduler
    from bot.storage.db import Database
    from bot.texts import Texts
    from bot.tickets.formatting import Formatter
    from bot.tickets.service import TicketService


class TicketPart:
    """A piece of the ticket service: built by `TicketService` with exactly its collaborators
    (settings, clock, database, texts, outbox, scheduler) and the service itself."""

    def __init__(
        self,
        tickets: TicketService,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Messenger,
        scheduler: Scheduler,
    ) -> None:
        self.tickets = tickets
        self.settings = settings
        self.clock = clock
        self.db = db
        self.texts = texts
        self._t = texts.bind(settings.locale)  # staff-facing texts, the deployment's locale
        self.outbox = outbox
        self.scheduler = scheduler

    @property
    def fmt(self) -> Formatter:
        return self.tickets.fmt

    async def schedule(self, kind: str, ticket_id: int, run_at: datetime) -> None:
        """This ticket's job of `kind` at `run_at` (one per ticket and kind: replaces)."""
        await self.scheduler.schedule(
            kind, run_at, {"ticket_id": ticket_id}, jobs.job_id(kind, ticket_id)
        )

    async def cancel(self, *kinds: str, ticket_id: int) -> None:
        for kind in kinds:
            await self.scheduler.cancel(jobs.job_id(kind, ticket_id))
