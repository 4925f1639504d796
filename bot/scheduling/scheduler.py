"""Jobs that survive restarts. In-memory stub until the handoff issue brings APScheduler.

API (stable): `register(kind, handler)`, `schedule(kind, run_at, payload, job_id)`,
`cancel(job_id)`, `run_due()`; a handler is `async def handler(payload: dict) -> None`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import App

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]


class JobScheduler:
    def __init__(self, app: App) -> None:
        self.app = app
        self._handlers: dict[str, JobHandler] = {}
        self._jobs: dict[str, tuple[str, datetime, dict[str, Any]]] = {}

    def register(self, kind: str, handler: JobHandler) -> None:
        self._handlers[kind] = handler

    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], job_id: str
    ) -> None:
        """Run `kind`'s handler with `payload` at `run_at`; the same job_id replaces."""
        self._jobs[job_id] = (kind, run_at, payload)

    async def cancel(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)

    async def start(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def run_due(self) -> int:
        """Run every job due at `app.clock.now()` (tests with a fake clock); returns count."""
        now = self.app.clock.now()
        due = sorted((v[1], k) for k, v in self._jobs.items() if v[1] <= now)
        for _, job_id in due:
            kind, _, payload = self._jobs.pop(job_id)
            await self._handlers[kind](payload)
        return len(due)
