"""Housekeeping: tables that only grow are trimmed here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.storage.db import Database
from bot.storage.models import ProcessedUpdate

# Telegram redelivers an unacknowledged update for at most 24 hours; keep a margin.
PROCESSED_UPDATES_KEEP = timedelta(days=7)


async def prune_processed_updates(db: Database, now: datetime) -> int:
    """Forget update ids older than `PROCESSED_UPDATES_KEEP`; returns how many went."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - PROCESSED_UPDATES_KEEP)
        )
    return int(getattr(result, "rowcount", 0) or 0)
