"""`Database`: the async engine, sessions, and migrations at start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}


def sync_url_of(url: str) -> str:
    """The same database through a synchronous driver (APScheduler 3's job store is sync)."""
    parsed = make_url(url)
    driver = _SYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    except Exception:
        # a file that cannot be opened fails here, on the first statement: close the
        # connection (and its thread), the pool never gets it
        try:
            dbapi_connection.close()
        except Exception:
            pass
        raise


CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 15.0
POOL_TIMEOUT_SECONDS = 5.0


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        # hide_parameters: a failing statement's log line never carries a resident's phone
        # or words; timeouts: a database that hangs fails fast (degraded mode, app.py)
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                kwargs["poolclass"] = StaticPool
                kwargs["connect_args"] = {"check_same_thread": False}
            else:
                try:
                    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
                except OSError:  # the first statement fails instead: degraded mode
                    pass
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_timeout"] = POOL_TIMEOUT_SECONDS
            if parsed.drivername.endswith("asyncpg"):
                kwargs["connect_args"] = {
                    "timeout": CONNECT_TIMEOUT_SECONDS,
                    "command_timeout": STATEMENT_TIMEOUT_SECONDS,
                }
        self.engine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def sync_url(self) -> str:
        return sync_url_of(self.url)

    @property
    def in_memory(self) -> bool:
        """An in-memory SQLite database: no second (synchronous) connection can see it."""
        return self.dialect == "sqlite" and (make_url(self.url).database or "") in ("", ":memory:")

    def create_sync_engine(self) -> Engine:
        """A synchronous engine on the same database, same SQLite pragmas (for APScheduler 3)."""
        if self.in_memory:
            raise ValueError("an in-memory SQLite database has no synchronous twin")
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":  # a database that hangs fails, as the async engine
            kwargs["connect_args"] = {"connect_timeout": int(CONNECT_TIMEOUT_SECONDS)}
        engine = create_engine(
            self.sync_url, pool_pre_ping=self.dialect != "sqlite", hide_parameters=True,
            **kwargs,
        )
        if self.dialect == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; commit yourself."""
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success, rolled back on error."""
        async with self.sessions.begin() as session:
            yield session

    async def upgrade(self, revision: str = "head") -> None:
        """Run Alembic migrations up to `revision` (at start and `python -m bot db upgrade`);
        a database already at the head is left alone without loading Alembic's scripts again
        (the head is read once per process)."""
        async with self.engine.begin() as connection:
            if self.dialect == "postgresql":  # several processes starting at once: one by one
                await connection.execute(text("SELECT pg_advisory_xact_lock(1212501072, -1)"))
            if revision == "head" and await connection.run_sync(_at_head):
                return
            await connection.run_sync(_run_alembic, "upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_run_alembic, "downgrade", revision)

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as connection:
            return await connection.run_sync(_current_revision)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _run_alembic(connection: Connection, verb: str, revision: str) -> None:
    from alembic import command

    getattr(command, verb)(alembic_config(connection), revision)


@lru_cache(maxsize=1)
def _head() -> str | None:
    """The newest migration's revision (read from the scripts once)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _at_head(connection: Connection) -> bool:
    """Whether the database's schema is the newest migration's."""
    current = _current_revision(connection)
    return current is not None and current == _head()


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or does not answer (as opposed to a
    statement it refused): connection refused, timeouts, a file that cannot be opened."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, (TimeoutError, ConnectionError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
            return True
        return is_unavailable(exc.orig) if isinstance(exc.orig, BaseException) else False
    if isinstance(exc, OSError):
        return True
    name = type(exc).__name__  # asyncpg's own, when not wrapped by SQLAlchemy
    return name in ("ConnectionDoesNotExistError", "CannotConnectNowError", "QueryCanceledError",
                    "InterfaceError", "ConnectionFailureError", "TooManyConnectionsError")
