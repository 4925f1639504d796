"""Fixtures: the app (tests/dashboard/support.py) and its dashboard on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.dashboard.server import DashboardServer
from tests.dashboard.support import dashboard_harness
from tests.support.harness import Harness


class NoClassifier:
    """The dashboard never reads a message: no need to load the intent model (slow)."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the dashboard tests classify nothing (asked for {name})")


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    harness = await dashboard_harness(sqlite_url, NoClassifier())
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def server(h: Harness) -> AsyncIterator[DashboardServer]:
    dashboard = DashboardServer(h.app, listen="127.0.0.1", port=0)
    await dashboard.start()
    try:
        yield dashboard
    finally:
        await dashboard.stop()
