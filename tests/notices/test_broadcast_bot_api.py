"""The broadcast evidence over HTTP: 2,000 registered residents through the fake Bot API and a
real library (python-telegram-bot, and aiogram), with injected 429s and 403s, and a restart in
the middle. Every reachable resident receives exactly one copy; blocked ones are recorded."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.notices.render import NoticeFacts
from bot.storage.models import Resident
from tests.fakes.bot_api import FakeBotAPI
from tests.notices.support import add_residents, deliveries
from tests.transports.support import FRAMEWORKS, running

MANAGER = "8880001"
RESIDENTS = 2000
FIRST = 900000  # residents' chat ids: 900000..901999


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


def notice_copies(fake: FakeBotAPI) -> Counter[str]:
    """Notices the fake accepted, per resident chat."""
    return Counter(
        c.chat_id
        for c in fake.calls
        if c.ok and c.method.lower() == "sendmessage" and c.chat_id and c.chat_id.startswith("90")
    )


class Tally:
    """Sends to residents so far, counted incrementally: cheap enough to poll after every
    call (an estimate while calls are in flight; the assertions recount with `notice_copies`)."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        self.seen = 0
        self.count = 0

    def __call__(self) -> int:
        calls = self.fake.calls
        for call in calls[self.seen :]:
            if call.method.lower() == "sendmessage" and (call.chat_id or "").startswith("90"):
                self.count += 1
        self.seen = len(calls)
        return self.count


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_two_thousand_through_the_bot_api_with_a_restart(
    fake: FakeBotAPI, sqlite_url: str, framework: str
) -> None:
    chats = [str(FIRST + i) for i in range(RESIDENTS)]
    for chat in [*chats, MANAGER]:
        fake.chat(chat)
    blocked = set(chats[13::89])
    for chat in blocked:
        fake.block(chat)
    flooded = [c for c in chats[40::1000] if c not in blocked]  # each 429 pauses everyone 1 s
    for chat in flooded:
        fake.fail("sendMessage", 429, retry_after=1, chat_id=chat)
    fake.fail("sendMessage", 500, chat_id=chats[2])
    settings = {"manager_ids": [MANAGER], "broadcast_rate_per_second": 0}
    tally = Tally(fake)

    async with running(fake, sqlite_url, framework=framework, **settings) as first:
        assert await add_residents(first.app, RESIDENTS, prefix="", start=FIRST) == chats
        notice, count, _ = await first.app.notices.publish(
            NoticeFacts("water", [], None, None, "管道维修", ""),
            created_by=MANAGER,
            manager_chat_id=MANAGER,
        )
        assert count == RESIDENTS
        await fake.wait_for(lambda: tally() >= 700, within=60)
    # stopped in the middle, the way a deploy stops it
    assert 600 <= sum(notice_copies(fake).values()) < RESIDENTS - len(blocked)

    async with running(fake, sqlite_url, framework=framework, **settings) as second:
        reachable = len(chats) - len(blocked)
        attempts = RESIDENTS + len(flooded) + 1  # one each, plus the 429s and the 500 retried
        await fake.wait_for(lambda: tally() >= attempts, within=120)
        done = f"送达 {reachable}/{RESIDENTS}"
        await fake.wait_for(
            lambda: any(done in text for text in fake.sent_texts(MANAGER)), within=120
        )
        await second.settled()
        status = await deliveries(second.app, notice.id)
        async with second.app.db.session() as session:
            unreachable = set(
                (await session.scalars(select(Resident.chat_id).where(Resident.unreachable))).all()
            )

    copies = notice_copies(fake)
    assert set(copies) == set(chats) - blocked and set(copies.values()) == {1}
    assert {c for c, s in status.items() if s == "blocked"} == blocked == unreachable
    assert "pending" not in status.values()
    for chat in flooded:  # a 429 first, then the one copy
        assert [c.status for c in fake.calls_to("sendMessage", chat)] == [429, 200]
    summary = fake.last(MANAGER).plain
    assert f"送达 {reachable}/{RESIDENTS}" in summary and "达到 90%" in summary
    assert "发送完毕" in fake.messages(MANAGER)[0].plain  # the progress message, edited to the end
