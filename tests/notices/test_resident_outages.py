"""Residents reporting outages through the real conversation flows and classifier: answered
from a notice, or grouped with their neighbours instead of burying staff in tickets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.notices.render import NoticeFacts
from bot.storage.models import Ticket
from tests.notices.support import MANAGER
from tests.support.harness import Harness, make_harness


@pytest.fixture
async def h(sqlite_url: str, classifier: Any) -> AsyncIterator[Harness]:
    harness = await make_harness(
        sqlite_url, classifier=classifier, manager_ids=[MANAGER], broadcast_rate_per_second=0
    )
    try:
        yield harness
    finally:
        await harness.close()


async def ticket_count(h: Harness) -> int:
    async with h.app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_a_covered_resident_is_answered_from_the_notice(h: Harness) -> None:
    notice, _, _ = await h.app.notices.publish(
        NoticeFacts("water", ["3"], None, None, "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    shown = await h.say("r1", "3栋停水了")
    assert any("3栋正在停水，是计划内的（管道维修）" in m.plain for m in shown)
    assert await ticket_count(h) == 0
    assert (await h.app.notices.get(notice.id)).asked_count == 1  # type: ignore[union-attr]


async def test_an_uncovered_resident_gets_a_ticket_as_usual(h: Harness) -> None:
    await h.app.notices.publish(
        NoticeFacts("water", ["3"], None, None, "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.say("r1", "5栋停水了")
    await h.say("r1", "1202")
    await h.say("r1", "13812345678")
    assert await ticket_count(h) == 1


async def test_five_neighbours_make_one_ticket_for_staff(h: Harness) -> None:
    for i in range(5):
        await h.say(f"r{i}", "3栋停水了")
    assert "已有 5 位住户反映" in h.last("r4").plain
    for i in range(4):  # the first four were still answering questions: their tickets open now
        await h.say(f"r{i}", "1202")
        await h.say(f"r{i}", f"1381234567{i}")
    await h.tick(61)  # the sweep merges them into the group's ticket
    async with h.app.db.session() as session:
        statuses = (await session.scalars(select(Ticket.status).order_by(Ticket.id))).all()
    assert statuses == ["open", "cancelled", "cancelled", "cancelled", "cancelled"]
    alert = next(m for m in h.chat(h.staff_chat) if "集中报修" in m.plain)
    assert "已并入本单：#2 #3 #4 #5" in alert.plain and "138****5670" in alert.plain
    assert "13812345670" not in alert.plain  # a list in the group: phones masked
    assert [m for m in h.chat(h.staff_chat) if m.button_data] == [alert]  # one thing to claim
    assert all("已合并到工单 #1" in h.last(f"r{i}").plain for i in range(4))
    assert h.last(MANAGER).button_data == ["nt:cl:1"]
