"""Shared fixtures: databases (SQLite always; PostgreSQL when reachable, required in CI),
one classifier per session, and the app harness."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT

BASE_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
"""The pytest-xdist worker running these tests ("gw0", ...; "" without xdist): each worker
has a PostgreSQL database of its own (`test_gw0`, ...), made from the first when missing."""


def _worker_url(base: str) -> str:
    if not WORKER:
        return base
    from sqlalchemy.engine import make_url

    url = make_url(base)
    return url.set(database=f"{url.database}_{WORKER}").render_as_string(hide_password=False)


POSTGRES_URL = _worker_url(BASE_POSTGRES_URL)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_problem() -> str | None:
    """None when the PostgreSQL test server answers, else why not (a worker's own database
    is created first when missing)."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        if WORKER:
            base = make_url(BASE_POSTGRES_URL)
            with psycopg.connect(
                host=base.host, port=base.port or 5432, user=base.username,
                password=base.password, dbname=base.database, connect_timeout=3, autocommit=True,
            ) as conn:
                name = make_url(POSTGRES_URL).database
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                    conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_URL)
        with psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.database, connect_timeout=3,
        ):
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"


def reset_postgres() -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        dbname=url.database, autocommit=True,
    ) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    return _postgres_problem()


def _postgres_url(problem: str | None) -> str:
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem} (PostgreSQL tests must run in CI)")
        pytest.skip(problem)
    reset_postgres()
    return POSTGRES_URL


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest migration, made once: each test that asks for
    `sqlite_url` starts from a copy (running every migration for each of the hundreds of
    conversations cost more than the conversations)."""
    import asyncio

    from bot.storage.db import Database

    path = tmp_path_factory.mktemp("template") / "helpline.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A fresh SQLite database of this test's own, already migrated (the app's start finds
    it at the head; the migrations themselves are tested on `database_url`)."""
    import shutil

    shutil.copyfile(migrated_sqlite, tmp_path / "helpline.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}"


@pytest.fixture
def postgres_url(postgres_problem: str | None) -> str:
    return _postgres_url(postgres_problem)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_problem: str | None) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}"
    return _postgres_url(postgres_problem)


@pytest.fixture(scope="session")
def classifier() -> Any:
    from bot.intents import Classifier

    return Classifier.from_locales(REPO_ROOT / "locales")


@pytest.fixture
async def harness(sqlite_url: str, classifier: Any) -> AsyncIterator[Any]:
    """The whole app on SQLite with a fake clock; see tests/support/harness.py."""
    from tests.support.harness import make_harness

    h = await make_harness(sqlite_url, classifier=classifier)
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield REPO_ROOT
