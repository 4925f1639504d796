"""Helpers for the notice tests: an app with managers, registered residents, virtual time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select

from bot.app import App
from bot.core.clock import FakeClock
from bot.notices.broadcast import Broadcaster
from bot.storage.models import NoticeDelivery, Resident
from tests.support.harness import Harness, make_harness

MANAGER = "m1"
OTHER_MANAGER = "m2"


class StubClassifier:
    """These tests never classify a resident's message."""


async def notice_harness(database_url: str, **overrides: Any) -> Harness:
    values: dict[str, Any] = {
        "manager_ids": [MANAGER, OTHER_MANAGER],
        "broadcast_rate_per_second": 0,  # unthrottled: pacing has its own tests
        **overrides,
    }
    return await make_harness(
        database_url, classifier=StubClassifier(), clock=FakeClock(), **values
    )


async def add_residents(
    app: App,
    count: int,
    *,
    buildings: Iterable[str] = ("1", "2", "3", "4", "5"),
    prefix: str = "c",
    consent: bool = True,
    start: int = 0,
    locale: str = "zh",
) -> list[str]:
    """`count` registered residents spread over `buildings`; returns their chat ids."""
    now = app.clock.now()
    blocks = list(buildings)
    rows = [
        {
            "user_id": f"{prefix}{i}",
            "chat_id": f"{prefix}{i}",
            "name": f"住户{i}",
            "locale": locale,
            "building": blocks[i % len(blocks)],
            "room": f"{1 + i % 30:02d}01",
            "phone": f"138{i:08d}",
            "consent": consent,
            "unreachable": False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(start, start + count)
    ]
    async with app.db.transaction() as session:
        await session.execute(insert(Resident), rows)
    return [str(r["chat_id"]) for r in rows]


async def deliveries(app: App, notice_id: int, purpose: str = "notice") -> dict[str, str]:
    """chat id -> delivery status."""
    async with app.db.session() as session:
        rows = await session.execute(
            select(NoticeDelivery.chat_id, NoticeDelivery.status).where(
                NoticeDelivery.notice_id == notice_id, NoticeDelivery.purpose == purpose
            )
        )
        return {str(c): str(s) for c, s in rows.all()}


class VirtualTime:
    """A monotonic clock that only moves when someone sleeps: pacing without waiting."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


def virtual_broadcaster(
    app: App, vt: VirtualTime, rate: float, concurrency: int | None = None
) -> Broadcaster:
    """A broadcaster on virtual time. Concurrent sleepers share one virtual clock, so pacing
    is measured exactly only with `concurrency=1`."""
    broadcaster = Broadcaster(
        settings=app.settings,
        clock=app.clock,
        db=app.db,
        outbox=app.outbox,
        profiles=app.profiles,
        rate=rate,
        now=vt.now,
        sleep=vt.sleep,
        concurrency=concurrency,
    )
    app.notices.broadcaster = broadcaster
    return broadcaster
