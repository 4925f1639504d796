"""Pacing for broadcasts: at most `rate` sends per second, and a pause for everyone on 429.

Telegram allows about 30 messages a second per bot; a broadcast takes `rate` (25 by default)
of them and leaves the rest to replies and staff alerts. Sends are spaced evenly (one every
1/rate seconds), so no one-second window ever holds more than `rate` of them. The time
source and `sleep` are injectable: tests and the benchmark run on virtual time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    def __init__(
        self, rate: float, *, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0  # rate <= 0: unthrottled
        self.now = now
        self.sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        """Wait for the next free slot, and take it."""
        while True:
            now = self.now()
            slot = max(self._next, self._paused_until)
            if slot <= now:
                self._next = now + self.interval
                return
            await self.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after `seconds`": nobody sends until then."""
        self._paused_until = max(self._paused_until, self.now() + seconds)
