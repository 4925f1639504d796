"""Housekeeping trims old processed-update ids and keeps recent ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.core.incoming import Incoming
from bot.storage.maintenance import prune_processed_updates
from bot.storage.models import ProcessedUpdate


async def _keys(harness: Any) -> set[str]:
    async with harness.app.db.session() as session:
        return set((await session.scalars(select(ProcessedUpdate.key))).all())


async def test_old_update_ids_are_forgotten_recent_ones_kept(harness: Any) -> None:
    await harness.app.handle(Incoming("old-update", "r1", "r1", text="你好"))
    harness.clock.advance(timedelta(days=6).total_seconds())
    await harness.app.handle(Incoming("recent-update", "r1", "r1", text="谢谢"))
    harness.clock.advance(timedelta(days=1, minutes=1).total_seconds())

    assert await prune_processed_updates(harness.app.db, harness.clock.now()) == 1

    keys = await _keys(harness)
    assert "old-update" not in keys
    assert "recent-update" in keys
    await harness.app.handle(Incoming("recent-update", "r1", "r1", text="谢谢"))  # still a repeat
    assert "recent-update" in await _keys(harness)
