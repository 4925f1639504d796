"""The staff desk end to end through each real library against the fake Bot API (issue 13):
a security report lands in the security group (and, an emergency, the main group); it is
given back and taken again, handed to a colleague (told privately), closed as a false alarm
with no rating asked; a repair reported on the Friday 17:55 before the Qingming holiday is
due in working time after it; the shift digest arrives at its time with the right counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.storage.models import Ticket
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import FRAMEWORKS, RESIDENT, Framework, running
from tests.transports.test_story import Story

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)

SEC_CHAT, ENG_CHAT = -1002000000001, -1002000000002
ZHANG, LI, ZHAO = 4440001, 4440002, 4440003
NEIGHBOUR = 5550002
TEAMS = f"""
teams:
  security: {{name: 安保, chat_id: "{SEC_CHAT}", intents: [security]}}
  engineering: {{name: 工程维修, chat_id: "{ENG_CHAT}", intents: [repair]}}
people: {{张师傅: "{ZHANG}", 李师傅: "{LI}", 赵师傅: "{ZHAO}"}}
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 4, 3, 9, 55, tzinfo=UTC))  # Friday 17:55 in Shanghai


@pytest.fixture
async def fake_at(clock: FakeClock) -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(now=lambda: clock.now().timestamp()) as api:
        yield api


async def ticket(story: Story, ticket_id: int) -> Ticket:
    async with story.run.app.db.session() as session:
        found = await session.get(Ticket, ticket_id)
    assert found is not None
    return found


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_staff_desk_story(
    framework: Framework,
    fake_at: FakeBotAPI,
    clock: FakeClock,
    sqlite_url: str,
    classifier: Any,
    tmp_path: Path,
) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    fake = fake_at
    fake.chat(SEC_CHAT, "安保群")
    fake.chat(ENG_CHAT, "工程群")
    for user, name in ((ZHANG, "张师傅"), (LI, "李师傅"), (ZHAO, "赵师傅")):
        fake.user(user, name)
        fake.chat(user)  # each has started the bot, so it can write to them privately
    async with running(
        fake,
        sqlite_url,
        framework=framework,
        clock=clock,
        classifier=classifier,
        teams_file=teams,
        digest_times="19:00",
    ) as run:
        story = Story(run, clock)

        # 1. A security report: the security group gets the alert, the main group too.
        await story.step(fake.send(RESIDENT, "3栋1202有个陌生人在撬我家隔壁的门"))
        _, main_group = await story.step(fake.send(RESIDENT, "13812345678"))
        security = story.new_texts(SEC_CHAT)
        assert len(security) == 1 and "治安求助" in security[0] and "👥 安保" in security[0]
        assert any("治安求助" in t for t in main_group)
        assert fake.sent_texts(ENG_CHAT) == []

        # 2. Taken, given back, taken again by a colleague.
        await story.step(fake.press(SEC_CHAT, "tk:claim:1", user=ZHANG))
        await story.step(fake.press(SEC_CHAT, "tk:unclaim:1", user=ZHANG))
        assert fake.answers[-1]["text"] == "#1 已退回待接单。"
        assert any("退回" in t for t in story.new_texts(SEC_CHAT))
        assert (await ticket(story, 1)).status == "open"
        await story.step(fake.press(SEC_CHAT, "tk:claim:1", user=LI))
        assert (await ticket(story, 1)).claimed_by == str(LI)

        # 3. Handed to 赵师傅, who is told privately.
        await story.step(fake.send(SEC_CHAT, "/assign 1 赵师傅", user=LI))
        assert story.new_texts(SEC_CHAT)[-1] == "#1 已转给 赵师傅，已私信通知。"
        assert any("李师傅 把工单 #1 交给您" in t for t in fake.sent_texts(ZHAO))
        assert (await ticket(story, 1)).claimed_by == str(ZHAO)

        # 4. Closed as a false alarm: the resident is told, no stars asked.
        await story.step(fake.press(SEC_CHAT, "tk:close:1", user=ZHAO))
        assert fake.last(SEC_CHAT).button_data == [
            "tk:close:1:false_alarm",
            "tk:close:1:unreachable",
            "tk:close:1:cancelled",
        ]
        resident, _ = await story.step(fake.press(SEC_CHAT, "tk:close:1:false_alarm", user=ZHAO))
        assert len(resident) == 1 and "没有发现异常" in resident[0]
        assert not any(
            "tk:rate" in d or "tk:fixed" in d
            for m in fake.messages(RESIDENT)
            for d in m.button_data
        )
        closed = await ticket(story, 1)
        assert (closed.status, closed.close_reason) == ("closed", "false_alarm")

        # 5. A repair on the Friday 17:55 before the holiday: due Tuesday 17:55.
        await story.step(fake.send(NEIGHBOUR, "5栋803厨房水龙头坏了，一直滴水"))
        _, main_group = await story.step(fake.send(NEIGHBOUR, "13900001111"))
        repair = await ticket(story, 2)
        assert repair.team == "engineering"
        assert repair.due_at == datetime(2026, 4, 7, 9, 55, tzinfo=UTC)
        assert "处理时限：04-07 17:55" in fake.sent_texts(ENG_CHAT)[0]
        assert not any("水龙头" in t for t in main_group)  # the team's own

        # 6. The digest at 19:00, to each group with its own counts.
        story.new_texts(SEC_CHAT), story.new_texts(ENG_CHAT)
        clock.advance(65 * 60)
        _, main_group = await story.step(run.app.scheduler.run_due())
        eng_texts = story.new_texts(ENG_CHAT)
        assert any("#2 已等待 1小时5分，还没有人接单" in t for t in eng_texts)  # reminded too
        (eng,) = [t for t in eng_texts if "交接班" in t]
        assert "交接班 · 工程维修（04-03 19:00）" in eng
        assert "未完成：1 张" in eng and "待接单：1 张" in eng and "已超时：0 张" in eng
        (sec,) = [t for t in story.new_texts(SEC_CHAT) if "交接班" in t]
        assert "交接班 · 安保" in sec and "未完成：0 张" in sec
        main = [t for t in main_group if "交接班" in t]
        assert len(main) == 1 and "未完成：1 张" in main[0]
        assert not fake.pending_updates
