"""The app with two managers and unthrottled broadcasts, for the notice and manager tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.notices.support import notice_harness
from tests.support.harness import Harness


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    harness = await notice_harness(sqlite_url)
    try:
        yield harness
    finally:
        await harness.close()
