"""Issue 16's Done-when for estates, through a real Telegram library (python-telegram-bot)
against the fake Bot API, on SQLite and PostgreSQL: two estates with their own groups,
buildings and FAQ in one bot; a resident bound by a QR deep link to estate B reports a
flood; only estate B's staff group gets the alert; estate A's group cannot claim it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import deeplinks
from bot.core.clock import FakeClock
from bot.deeplinks import Place
from bot.storage.models import Resident, Ticket
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import RESIDENT, STAFF_CHAT, running
from tests.transports.test_story import Story

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

GROUP_A, GROUP_B = -1003000000111, -1003000000222
STAFF_A, STAFF_B = 4440011, 4440022
OTHER = 5550009  # a resident of estate A

ESTATES = f"""
estates:
  - id: 1
    name: 阳光花园
    staff_chat_id: "{GROUP_A}"
    buildings: {{"1": {{}}, "2": {{}}}}
    faq: faq-a.yaml
  - id: 2
    name: 明月小区
    staff_chat_id: "{GROUP_B}"
    buildings: {{"3": {{floors: "1-26", doors: ["01", "02"]}}}}
    faq: faq-b.yaml
"""
FAQ = """
fee:
  title: 物业费怎么交
  keywords: [物业费]
  questions: [物业费怎么交]
  answer: "{answer}"
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(now=lambda: clock.now().timestamp()) as api:
        yield api


async def test_a_qr_bound_flood_in_estate_b_reaches_only_estate_bs_group(
    fake: FakeBotAPI, clock: FakeClock, database_url: str, classifier: Any, tmp_path: Path
) -> None:
    (tmp_path / "faq-a.yaml").write_text(FAQ.format(answer="阳光花园：到物业中心交。"), "utf-8")
    (tmp_path / "faq-b.yaml").write_text(FAQ.format(answer="明月小区：用明月App交。"), "utf-8")
    estates = tmp_path / "estates.yaml"
    estates.write_text(ESTATES, encoding="utf-8")
    fake.chat(GROUP_A, "阳光花园员工群")
    fake.chat(GROUP_B, "明月小区员工群")
    for user in (STAFF_A, STAFF_B):
        fake.user(user)
    async with running(
        fake, database_url, framework="ptb", clock=clock, classifier=classifier,
        estates_file=estates, deeplink_secret="done-when",
    ) as run:
        story = Story(run, clock)
        key = deeplinks.link_key(run.app.settings)

        # bound by the QR code of 明月小区 3栋1202: consent, then only the phone
        payload = deeplinks.sign(key, Place(2, "3", "1202"))
        resident, _ = await story.step(fake.send(RESIDENT, f"/start {payload}"))
        assert any("明月小区" in t for t in resident) and any("现在登记吗" in t for t in resident)
        await story.step(fake.press(RESIDENT, "flow:consent:yes"))
        await story.step(fake.send(RESIDENT, "13812345678"))
        async with run.app.db.session() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == str(RESIDENT)))
        assert row is not None and (row.estate_id, row.building, row.room) == (2, "3", "1202")

        # each estate answers from its own FAQ
        resident, _ = await story.step(fake.send(RESIDENT, "物业费怎么交"))
        assert any("明月App" in t for t in resident)
        await story.step(fake.send(OTHER, "/estate"))
        await story.step(fake.press(OTHER, "menu:estate:1"))
        await story.step(fake.send(OTHER, "物业费怎么交"))
        assert any("到物业中心交" in t for t in fake.sent_texts(OTHER))

        # the flood: the life-saving line first, then the offered flat, then the alert
        resident, _ = await story.step(fake.send(RESIDENT, "家里水管爆了，水漫到客厅了"))
        assert resident and ("总阀" in resident[0] or "电" in resident[0])
        for _ in range(4):
            if fake.sent_texts(GROUP_B):
                break
            last = fake.last(RESIDENT)
            if last.button_data:
                await story.step(fake.press(RESIDENT, last.button_data[0]))
            else:
                await story.step(fake.send(RESIDENT, "13812345678"))
        alerts = fake.sent_texts(GROUP_B)
        assert len(alerts) == 1 and "漏水" in alerts[0] and "3栋" in alerts[0]
        assert "明月小区" in alerts[0]
        assert fake.sent_texts(GROUP_A) == [] and story.new_texts(STAFF_CHAT) == []

        # estate A's group cannot claim it, read it or close it
        await story.step(fake.send(GROUP_A, "/ticket 1", user=STAFF_A))
        assert "找不到工单 #1" in fake.sent_texts(GROUP_A)[-1]
        await story.step(fake.send(GROUP_A, "/resolve 1 修好了", user=STAFF_A))
        assert "找不到工单 #1" in fake.sent_texts(GROUP_A)[-1]
        in_a = fake.messages(GROUP_A)[-1].message_id  # a claim pressed in A's group
        await story.step(fake.press(GROUP_A, "tk:claim:1", user=STAFF_A, message_id=in_a))
        assert "其他小区" in fake.answers[-1]["text"]
        async with run.app.db.session() as session:
            ticket = await session.get(Ticket, 1)
        assert ticket is not None and ticket.estate_id == 2
        assert ticket.status == "open" and ticket.claimed_by is None
        seen_in_a = len(fake.sent_texts(GROUP_A))

        # estate B's group can
        await story.step(fake.press(GROUP_B, "tk:claim:1", user=STAFF_B))
        async with run.app.db.session() as session:
            ticket = await session.get(Ticket, 1)
        assert ticket is not None and ticket.claimed_by == str(STAFF_B)
        assert len(fake.sent_texts(GROUP_A)) == seen_in_a  # nothing of it in A's group
