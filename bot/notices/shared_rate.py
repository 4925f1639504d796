"""A broadcast rate shared by every process (several processes on one database).

Same interface as `RateLimiter` (`acquire`, `pause`, `interval`), but the next free slot is
kept where every process sees it: a row of `rate_limits` in PostgreSQL, or a Redis key when
`REDIS_URL` is set. Each send reserves the next slot in one atomic statement
(`next = max(next, now) + 1/rate`, on the server's clock, so the processes' clocks need not
agree) and sleeps until it; a 429 pushes the slot past its `retry_after` for everyone.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

if TYPE_CHECKING:
    from bot.notices.ratelimit import Sleep
    from bot.storage.db import Database

KEY = "broadcast"


class SlotStore(Protocol):
    async def reserve(self, key: str, interval: float) -> float:
        """Reserve the next slot; returns the seconds to wait for it (<= 0: now)."""

    async def push(self, key: str, seconds: float) -> None:
        """Nobody's slot before `seconds` from now (Telegram's retry_after)."""


_RESERVE_PG = text(
    """
    INSERT INTO rate_limits (key, next_slot)
    VALUES (:key, extract(epoch FROM clock_timestamp()) + :interval)
    ON CONFLICT (key) DO UPDATE
      SET next_slot = greatest(rate_limits.next_slot, extract(epoch FROM clock_timestamp()))
                      + :interval
    RETURNING next_slot - :interval - extract(epoch FROM clock_timestamp())
    """
)
_PUSH_PG = text(
    """
    INSERT INTO rate_limits (key, next_slot)
    VALUES (:key, extract(epoch FROM clock_timestamp()) + :seconds)
    ON CONFLICT (key) DO UPDATE
      SET next_slot = greatest(rate_limits.next_slot,
                               extract(epoch FROM clock_timestamp()) + :seconds)
    """
)


class PostgresSlots:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def reserve(self, key: str, interval: float) -> float:
        async with self.db.transaction() as session:
            wait = await session.scalar(_RESERVE_PG, {"key": key, "interval": interval})
        return float(wait or 0.0)

    async def push(self, key: str, seconds: float) -> None:
        async with self.db.transaction() as session:
            await session.execute(_PUSH_PG, {"key": key, "seconds": seconds})


_RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], string.format('%.6f', slot + tonumber(ARGV[1])), 'EX', 86400)
return string.format('%.6f', slot - now)
"""
_PUSH_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = now + tonumber(ARGV[1])
if slot < until_ then slot = until_ end
redis.call('SET', KEYS[1], string.format('%.6f', slot), 'EX', 86400)
return 1
"""


class RedisSlots:
    def __init__(self, url: str, prefix: str = "helpline:rate:") -> None:
        import redis.asyncio as redis

        self.client: Any = redis.from_url(url)
        self.prefix = prefix
        self._reserve = self.client.register_script(_RESERVE_LUA)
        self._push = self.client.register_script(_PUSH_LUA)

    async def reserve(self, key: str, interval: float) -> float:
        return float(await self._reserve(keys=[self.prefix + key], args=[interval]))

    async def push(self, key: str, seconds: float) -> None:
        await self._push(keys=[self.prefix + key], args=[seconds])

    async def close(self) -> None:
        await self.client.aclose()


class SharedRateLimiter:
    def __init__(
        self, slots: SlotStore, rate: float, *, key: str = KEY, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.slots = slots
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.key = key
        self.sleep = sleep

    async def acquire(self) -> None:
        if not self.interval:
            return
        wait = await self.slots.reserve(self.key, self.interval)
        if wait > 0:
            await self.sleep(wait)

    async def pause(self, seconds: float) -> None:
        await self.slots.push(self.key, seconds)
