"""A chat that refuses the bot (403): settled at once, recorded, reported when it matters;
the staff group is never given up on; a stop lets the message being sent finish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.actions import Action, SendText
from bot.core.errors import Blocked
from bot.storage.models import OutboxMessage, Resident
from bot.tickets import TicketDraft
from tests.support.harness import Harness, make_harness

RESIDENT = "1001"
STAFF_MEMBER = "501"


class NoClassifier:
    def classify(self, text: str) -> Any:
        raise AssertionError("not used here")


@pytest.fixture
async def h(database_url: str) -> AsyncIterator[Harness]:
    harness = await make_harness(database_url, classifier=NoClassifier(), staff_ids=[STAFF_MEMBER])
    try:
        yield harness
    finally:
        await harness.close()


async def _statuses(h: Harness, chat: str) -> list[str]:
    async with h.app.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.chat_id == chat).order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def _open_ticket(h: Harness) -> int:
    profile = await h.app.profiles.ensure(RESIDENT, RESIDENT, "王女士")
    ticket = await h.app.tickets.open_ticket(TicketDraft(
        chat_id=RESIDENT, user_id=RESIDENT, user_name="王女士", intent="gas_leak",
        severity="emergency", description="厨房有煤气味", building="3", room="1202",
        phone="13812345678", resident_id=profile.id,
    ))
    await h.app.outbox.drain()
    return ticket.id


async def test_a_blocked_resident_is_settled_at_once_and_marked(h: Harness) -> None:
    await h.app.profiles.ensure(RESIDENT, RESIDENT, "王女士")
    h.sender.fail_next = [Blocked("Forbidden: bot was blocked by the user")]
    for text in ("一", "二", "三"):
        await h.app.outbox.send(SendText(RESIDENT, text))
    await h.app.outbox.drain()
    assert await _statuses(h, RESIDENT) == ["blocked"] * 3  # one 403, not three attempts
    assert h.chat(RESIDENT) == []
    async with h.app.db.session() as session:
        resident = await session.scalar(select(Resident).where(Resident.chat_id == RESIDENT))
    assert resident is not None and resident.unreachable
    assert h.chat(h.staff_chat) == []  # no ticket: nothing worth a note


async def test_a_blocked_resident_with_an_open_ticket_is_reported_under_its_alert(h: Harness) -> None:
    ticket_id = await _open_ticket(h)
    alert = h.chat(h.staff_chat)[-1]
    h.sender.fail_next = [Blocked("Forbidden: bot was blocked by the user")]
    await h.app.outbox.send(SendText(RESIDENT, "师傅已出发"))
    await h.app.outbox.send(SendText(RESIDENT, "请开门"))
    await h.app.outbox.drain()
    notes = [m for m in h.chat(h.staff_chat) if m.message_id != alert.message_id and f"#{ticket_id}" in m.plain]
    assert len(notes) == 1
    assert "13812345678" in notes[0].plain and "屏蔽" in notes[0].plain
    assert notes[0].reply_to == alert.message_id
    kinds = [e.kind for e in await h.app.tickets.events(ticket_id)]
    assert kinds.count("resident_unreachable") == 1

    # later messages to the resident are refused too; the group is not told again
    h.sender.fail_next = [Blocked("Forbidden: bot was blocked by the user")]
    await h.app.outbox.send(SendText(RESIDENT, "师傅到了"))
    await h.app.outbox.drain()
    assert len([m for m in h.chat(h.staff_chat) if "屏蔽" in m.plain]) == 1


async def test_a_staff_member_who_cannot_be_reached_is_named_in_the_group(h: Harness) -> None:
    h.sender.fail_next = [Blocked("Forbidden: bot can't initiate conversation with a user")]
    await h.app.outbox.send(SendText(STAFF_MEMBER, "提醒：#3 还没人接单"))
    await h.app.outbox.drain()
    note = h.last(h.staff_chat)
    assert STAFF_MEMBER in note.plain

    def notes() -> int:
        return len([m for m in h.chat(h.staff_chat) if STAFF_MEMBER in m.plain])

    h.sender.fail_next = [Blocked("Forbidden: bot was blocked by the user")]
    await h.app.outbox.send(SendText(STAFF_MEMBER, "提醒：#4 还没人接单"))
    await h.app.outbox.drain()
    assert notes() == 1  # not again the same day
    h.clock.advance(25 * 3600)
    h.sender.fail_next = [Blocked("Forbidden: bot was blocked by the user")]
    await h.app.outbox.send(SendText(STAFF_MEMBER, "提醒：#5 还没人接单"))
    await h.app.outbox.drain()
    assert notes() == 2


async def test_the_staff_group_is_never_given_up(h: Harness) -> None:
    """The bot removed from the group is a set-up problem: alerts wait until it is fixed."""
    h.sender.fail_next = [Blocked("Forbidden: bot was kicked from the supergroup chat")] * 3
    await h.app.outbox.send(SendText(h.staff_chat, "[紧急] 燃气泄漏"))
    for _ in range(3):
        await h.app.outbox.drain()
        assert await _statuses(h, h.staff_chat) == ["pending"]
        h.clock.advance(600)
    await h.app.outbox.drain()
    assert [m.plain for m in h.chat(h.staff_chat)] == ["[紧急] 燃气泄漏"]


async def test_drain_stops_between_two_messages(h: Harness) -> None:
    stop = asyncio.Event()
    sent: list[str] = []
    original = h.sender.deliver

    async def deliver(action: Action, **kwargs: Any) -> int | None:
        sent.append(getattr(action, "text", ""))
        stop.set()  # a stop arrives while the first message is being sent
        return await original(action, **kwargs)

    h.app.outbox.sender = type("S", (), {"deliver": staticmethod(deliver)})()
    for text in ("一", "二"):
        await h.app.outbox.send(SendText(RESIDENT, text))
    await h.app.outbox.drain(stop)
    assert sent == ["一"]
    assert await _statuses(h, RESIDENT) == ["sent", "pending"]


async def test_stopping_the_app_lets_the_message_being_sent_finish(h: Harness) -> None:
    """Cut off mid-send, a message would be sent again after the restart."""
    entered, release = asyncio.Event(), asyncio.Event()
    original = h.sender.deliver

    async def deliver(action: Action, **kwargs: Any) -> int | None:
        entered.set()
        await release.wait()
        return await original(action, **kwargs)

    h.app.outbox.sender = type("S", (), {"deliver": staticmethod(deliver)})()
    h.app.spawn(h.app.outbox.run(h.app._stop))
    await h.app.outbox.send(SendText(RESIDENT, "师傅10分钟后到"))
    await asyncio.wait_for(entered.wait(), 5)
    stopping = asyncio.create_task(h.app.stop())
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert [m.plain for m in h.chat(RESIDENT)] == ["师傅10分钟后到"]
    h2 = await make_harness(h.app.settings.database_url, classifier=NoClassifier())
    try:
        assert await _statuses(h2, RESIDENT) == ["sent"]
    finally:
        await h2.close()
