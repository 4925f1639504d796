"""Updates handled one at a time, in arrival order, off the loop that receives them.

The receiving side (a polling loop, a webhook request) only queues; a single worker feeds
the core. Stopping handles everything already queued before it returns, so an update that
was confirmed to Telegram is never dropped at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core.incoming import Incoming

log = logging.getLogger(__name__)


class SerialHandler:
    def __init__(self, handle: Callable[[Incoming], Awaitable[None]]) -> None:
        self._handle = handle
        self._queue: asyncio.Queue[Incoming] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def put(self, incoming: Incoming) -> None:
        self._queue.put_nowait(incoming)

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name="updates-worker")

    async def join(self) -> None:
        """Until everything queued so far is handled."""
        await self._queue.join()

    async def stop(self) -> None:
        """Handle what is queued, then end the worker."""
        if self._worker is None:
            return
        await self._queue.join()
        self._worker.cancel()
        try:
            await self._worker
        except asyncio.CancelledError:
            pass
        self._worker = None

    async def _work(self) -> None:
        while True:
            incoming = await self._queue.get()
            try:
                await self._handle(incoming)
            except Exception:
                log.exception("update %s could not be handled", incoming.update_id)
            finally:
                self._queue.task_done()
