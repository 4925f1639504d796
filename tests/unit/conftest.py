"""Unit tests: one service, built with fakes of its ports (`fakes.py`), a fake clock and a
SQLite database of its own. No `App`, no bootstrap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import REPO_ROOT, Settings
from bot.core.clock import FakeClock
from bot.storage.db import Database
from bot.texts import Texts

STAFF_CHAT = "-100500"
MANAGER = "900"
SUPERVISOR = "800"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}",
        staff_chat_id=STAFF_CHAT,
        manager_ids=[MANAGER],
        supervisor_ids=[SUPERVISOR],
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts.load(REPO_ROOT / "locales", default="zh")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    await database.upgrade()
    yield database
    await database.dispose()
