"""More than one bot process on one PostgreSQL: who is alive, and who leads.

Webhook mode behind a load balancer may run N processes on one database (long polling
stays one process: Telegram answers a second poller with 409). What every process may do
(take updates, deliver the outbox) is made safe row by row in the database; what must
happen once (scheduled jobs, broadcasts, adopting a dead process's updates) is done by the
leader only:

- Each process holds a PostgreSQL advisory lock on a dedicated connection: `(NS, id)` for
  its own id (`instance`, random), so the others see who is alive in `pg_locks`; and the
  leader also holds `(NS, 0)`, taken with `pg_try_advisory_lock` by whoever asks first.
- A process that dies (crash, `kill -9`, lost network) loses its connection, so PostgreSQL
  releases both locks: within `CHECK_EVERY` seconds another process takes the lead
  (`on_lead` hooks: the scheduler resumes), and adopts the updates the dead one had stored
  but not finished (`on_tick` hooks run on the leader each round).
- A leader whose connection breaks steps down at once (`on_follow` hooks: the scheduler
  pauses) and tries again when it reconnects.

On SQLite (one process by design) or with `MULTI_PROCESS=false` nothing of this runs: the
one process is the leader, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

NS = 0x48454C50 & 0x7FFFFFFF  # "HELP": the advisory lock namespace (first key)
LEADER = 0  # second key of the leader's lock; instances use 1 .. 2**31-1
CHECK_EVERY = 1.0  # seconds between two rounds (take the lead, check the connection)
CONNECT_TIMEOUT = 5.0

Hook = Callable[[], Awaitable[object]]

_LIVE = """
SELECT objid::bigint FROM pg_locks
WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as asyncpg's own DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Cluster:
    """Leader election and liveness; `enabled=False`: a single process, always the leader."""

    def __init__(
        self, database_url: str, *, enabled: bool, check_every: float = CHECK_EVERY
    ) -> None:
        self.database_url = database_url
        self.enabled = enabled
        self.check_every = check_every
        self.instance = str(secrets.randbelow(2**31 - 2) + 1)
        self.leading = not enabled
        self.on_lead: list[Hook] = []
        self.on_follow: list[Hook] = []
        self.on_tick: list[Hook] = []
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def is_leader(self) -> bool:
        return self.leading

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Announce this process (and try to lead once) before anything else starts."""
        if not self.enabled or self._task is not None:
            return
        self._stop.clear()
        try:
            await self._round()
        except Exception as exc:
            log.warning("cluster: first round failed (%s); retrying", exc)
        self._task = asyncio.create_task(self._loop(), name="cluster")

    async def _end_loop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def stop(self) -> None:
        """Let go of the lead (another process takes it within a second) and of the lock."""
        await self._end_loop()
        await self._step_down()
        await self._close()

    async def abandon(self) -> None:
        """Drop the connection as a crash would (no hooks): for tests of a dying leader."""
        await self._end_loop()
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None
        self.leading = False

    # -- who is alive --------------------------------------------------------------------------
    async def live_instances(self) -> set[str]:
        """The ids of the processes alive now (this one included)."""
        if not self.enabled:
            return {self.instance}
        conn = await self._connection()
        rows = await conn.fetch(_LIVE, NS)
        return {str(row[0]) for row in rows if int(row[0]) != LEADER}

    # -- the rounds ------------------------------------------------------------------------------
    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.check_every)
                return
            except TimeoutError:
                pass
            try:
                await self._round()
            except Exception as exc:
                log.warning("cluster: connection lost (%s)", exc)
                await self._step_down()
                await self._close()

    async def _round(self) -> None:
        conn = await self._connection()
        if not self.leading:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", NS, LEADER):
                self.leading = True
                log.info("cluster: this process (%s) leads now", self.instance)
                await self._run(self.on_lead)
        else:
            await conn.fetchval("SELECT 1")
        if self.leading:
            await self._run(self.on_tick)

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            import asyncpg

            conn = await asyncpg.connect(
                asyncpg_dsn(self.database_url), timeout=CONNECT_TIMEOUT
            )
            await conn.execute("SELECT pg_advisory_lock($1, $2)", NS, int(self.instance))
            self._conn = conn
        return self._conn

    async def _step_down(self) -> None:
        if not (self.enabled and self.leading):
            return
        self.leading = False
        log.info("cluster: this process (%s) no longer leads", self.instance)
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.execute("SELECT pg_advisory_unlock($1, $2)", NS, LEADER)
            except Exception:
                pass
        await self._run(self.on_follow)

    async def _close(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close(timeout=CONNECT_TIMEOUT)
            except Exception:
                self._conn.terminate()
            self._conn = None

    @staticmethod
    async def _run(hooks: list[Hook]) -> None:
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("cluster hook failed")


CHAT_NS = NS + 1  # first key of the per-chat locks (the second: hashtext(chat id))
CHAT_LOCK_TIMEOUT = "90s"  # longer than a handling may take (intake.HANDLE_TIMEOUT)


class ChatLocks:
    """One chat's updates are handled by one process at a time: a session advisory lock per
    chat, on a small pool of its own (never the pool the handling itself uses)."""

    def __init__(self, database_url: str, size: int) -> None:
        self.database_url = database_url
        self.size = size
        self._pool: Any = None
        self._opening = asyncio.Lock()

    async def _get_pool(self) -> Any:
        async with self._opening:
            if self._pool is None:
                import asyncpg

                self._pool = await asyncpg.create_pool(
                    asyncpg_dsn(self.database_url), min_size=0, max_size=self.size,
                    timeout=CONNECT_TIMEOUT,
                    server_settings={"lock_timeout": CHAT_LOCK_TIMEOUT},
                )
        return self._pool

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", CHAT_NS, chat_id)
            try:
                yield
            finally:
                await conn.execute(
                    "SELECT pg_advisory_unlock($1, hashtext($2))", CHAT_NS, chat_id
                )

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), CONNECT_TIMEOUT)
            except Exception:
                pool.terminate()
