"""Pacing for broadcasts: at most `rate` sends per second, and a pause for everyone on 429.

Telegram allows about 30 messages a second per bot; a broadcast takes `rate` (25 by default)
of them and leaves the rest to replies and staff alerts. Each caller reserves the next slot
(1/rate seconds after the previous one), so concurrent senders queue in order and the
cadence does not drift; a sliding window over the last sends makes sure no one-second window
ever holds more than `rate` of them, however late a sleeper wakes. The time source and
`sleep` are injectable: tests and the benchmark run on virtual time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    def __init__(
        self, rate: float, *, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0  # rate <= 0: unthrottled
        self.window = max(1, math.floor(rate)) if rate > 0 else 0
        self.now = now
        self.sleep = sleep
        self._next = 0.0  # the next free slot
        self._paused_until = 0.0
        self._recent: deque[float] = deque(maxlen=self.window or 1)

    def _window_free(self) -> float:
        """When the oldest of the last `window` sends leaves the one-second window."""
        if not self.window or len(self._recent) < self.window:
            return 0.0
        return self._recent[0] + 1.0

    async def acquire(self) -> None:
        """Wait for the next free slot, and take it."""
        while True:
            now = self.now()
            slot = max(now, self._next, self._paused_until, self._window_free())
            if slot > now:
                self._next = slot + self.interval  # reserved: the next caller queues behind
                await self.sleep(slot - now)
                now = self.now()
                if now < self._paused_until or now < self._window_free():
                    continue  # a 429 came meanwhile, or this sleeper woke early
            else:
                self._next = now + self.interval
            if self.window:
                self._recent.append(now)
            return

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after `seconds`": nobody sends until then."""
        self._paused_until = max(self._paused_until, self.now() + seconds)
