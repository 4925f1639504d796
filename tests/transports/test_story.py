"""One whole story through each real library, end to end over HTTP against the fake Bot API:
a resident reports a gas leak, gets the safety line at once, gives the missing phone number,
gets the instructions; the staff group gets the alert; a staff member claims it and replies
to it; the resident gets the reply; resolved; the resident confirms and rates.

The same story runs in long polling through python-telegram-bot and aiogram, in webhook mode
(where a forged request is refused), and with 429s, 5xx and dropped connections injected:
every step asserts exactly which messages each chat received, so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.storage.models import OutboxMessage, OutboxStatus, Ticket
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import (
    FRAMEWORKS,
    RESIDENT,
    SECRET,
    STAFF_CHAT,
    Framework,
    Running,
    free_port,
    running,
)

STAFF_MEMBER = 4440001

# jieba's load_userdict leaves its file to the garbage collector
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@dataclass
class Story:
    run: Running
    clock: FakeClock
    seen: dict[str, int] = field(default_factory=dict)  # sendMessage texts already checked

    @property
    def fake(self) -> FakeBotAPI:
        return self.run.fake

    async def settle(self, within: float = 30.0) -> None:
        """Until every update is handled and the outbox is empty. A message waiting for its
        retry time (429 retry_after, 5xx backoff) gets there by moving the fake clock half a
        second at a time: a few seconds at most, far from any flow or ticket deadline."""
        async with asyncio.timeout(within):
            while True:
                await self.fake.wait_for(lambda: self.fake.pending_updates == 0, within)
                await self.run.transport.join()
                if await self.run.app.outbox.pending_count() == 0 and not self.fake.pending_updates:
                    return
                if await self.waiting_for_time():
                    self.clock.advance(0.5)
                    self.run.app.outbox.wake()
                await asyncio.sleep(0.01)

    async def waiting_for_time(self) -> bool:
        async with self.run.app.db.session() as session:
            due = await session.scalar(
                select(OutboxMessage.id).where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before > self.clock.now(),
                ).limit(1)
            )
        return due is not None

    def new_texts(self, chat: int) -> list[str]:
        """What the chat received (sendMessage, successfully) since the last look."""
        texts = self.fake.sent_texts(chat)
        start = self.seen.get(str(chat), 0)
        self.seen[str(chat)] = len(texts)
        return texts[start:]

    async def step(self, action: Awaitable[Any]) -> tuple[list[str], list[str]]:
        """Do something, let it all settle; (new texts to the resident, to the staff group)."""
        await action
        await self.settle()
        return self.new_texts(RESIDENT), self.new_texts(STAFF_CHAT)


Faults = Callable[[FakeBotAPI, str], None]  # injects failures before a named step


async def gas_leak_story(story: Story, faults: Faults | None = None) -> None:
    fake = story.fake

    def before(step: str) -> None:
        if faults is not None:
            faults(fake, step)

    # 1. The report: the life-saving line comes first, then one question.
    before("report")
    resident, staff = await story.step(fake.send(RESIDENT, "3栋1202厨房有煤气味"))
    assert len(resident) == 2 and staff == []
    assert "不要开关" in resident[0] and "关掉燃气阀门" in resident[0]
    assert "电话" in resident[1]
    assert "flow:phone:skip" in fake.last(RESIDENT).button_data

    # 2. The missing detail: the staff group is alerted, the resident gets the instructions.
    before("phone")
    resident, staff = await story.step(fake.send(RESIDENT, "13812345678"))
    assert len(staff) == 1
    alert = staff[0]
    assert "燃气泄漏" in alert and "#1" in alert and "3栋" in alert and "13812345678" in alert
    assert len(resident) == 2
    assert "工单 #1" in resident[0] and "打开所有门窗" in resident[0] and "报警 110" in resident[0]
    alert_id = next(m.message_id for m in fake.messages(STAFF_CHAT) if "tk:claim:1" in m.button_data)

    # 3. The resident taps "no" to keeping the details.
    before("remember")
    resident, staff = await story.step(fake.press(RESIDENT, "menu:remember:no"))
    assert len(resident) == 1 and staff == []

    # 4. A staff member claims it: the alert changes in place, the resident is told.
    before("claim")
    answers = len(fake.answers)
    resident, staff = await story.step(fake.press(STAFF_CHAT, "tk:claim:1", user=STAFF_MEMBER))
    assert len(resident) == 1 and "已接单" in resident[0] and staff == []
    assert len(fake.answers) == answers + 1 and "#1" in fake.answers[-1]["text"]
    shown_alert = next(m for m in fake.messages(STAFF_CHAT) if m.message_id == alert_id)
    assert "tk:claim:1" not in shown_alert.button_data and "接单" in shown_alert.plain

    # 5. ... and replies to the alert: the resident gets it, signed by the help line.
    before("reply")
    resident, staff = await story.step(
        fake.send(STAFF_CHAT, "请马上下楼，我们2分钟到", user=STAFF_MEMBER, reply_to=alert_id)
    )
    assert resident == [resident[0]] and "请马上下楼，我们2分钟到" in resident[0]
    assert "物业客服" in resident[0] and staff == []

    # 6. Resolved: the resident is asked whether it is; staff are reminded of the report.
    before("resolve")
    resident, staff = await story.step(fake.press(STAFF_CHAT, "tk:resolve:1", user=STAFF_MEMBER))
    assert len(resident) == 1 and "解决" in resident[0]
    assert fake.last(RESIDENT).button_data == ["tk:fixed:1:yes", "tk:fixed:1:no"]
    assert len(staff) == 1 and "/report 1" in staff[0]

    # 7. The resident confirms everyone is safe: after an emergency, no stars are asked.
    before("fixed")
    resident, staff = await story.step(fake.press(RESIDENT, "tk:fixed:1:yes"))
    assert len(resident) == 1 and "平安" in resident[0] and staff == []
    assert not any("tk:rate" in d for m in fake.messages(RESIDENT) for d in m.button_data)
    shown_alert = next(m for m in fake.messages(STAFF_CHAT) if m.message_id == alert_id)
    assert shown_alert.buttons == []

    async with story.run.app.db.session() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert (ticket.status, ticket.fixed, ticket.phone) == ("closed", True, "13812345678")
    # every button press was answered exactly once: 4 presses
    assert len(fake.answers) == 4
    assert not fake.pending_updates


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_at(clock: FakeClock) -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API, dating messages by the test's clock."""
    async with FakeBotAPI(now=lambda: clock.now().timestamp()) as api:
        yield api


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_gas_leak_story_in_polling(
    framework: Framework, fake_at: FakeBotAPI, clock: FakeClock, sqlite_url: str, classifier: Any
) -> None:
    async with running(fake_at, sqlite_url, framework=framework, clock=clock, classifier=classifier) as run:
        await gas_leak_story(Story(run, clock))
    assert fake_at.calls_to("setWebhook") == []


async def test_the_gas_leak_story_in_webhook_mode(
    fake_at: FakeBotAPI, clock: FakeClock, sqlite_url: str, classifier: Any
) -> None:
    forged = {"update_id": 1, "callback_query": {
        "id": "forged", "from": {"id": 666, "is_bot": False, "first_name": "x"},
        "chat_instance": "x", "data": "tk:resolve:1",
        "message": {"message_id": 1, "date": 1, "chat": {"id": STAFF_CHAT, "type": "supergroup"}},
    }}

    def faults(fake: FakeBotAPI, step: str) -> None:
        if step == "claim":  # someone who found the URL tries to close the ticket
            refused.append(asyncio.ensure_future(fake.post_to_webhook(forged, secret="guess")))

    refused: list[asyncio.Future[int]] = []
    port = free_port()
    async with running(
        fake_at, sqlite_url, framework="aiogram", clock=clock, classifier=classifier,
        webhook_url=f"http://127.0.0.1:{port}/tg", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=port,
    ) as run:
        await gas_leak_story(Story(run, clock), faults)
    assert [await r for r in refused] == [403]
    assert fake_at.calls_to("getUpdates") == []
    assert fake_at.calls_to("setWebhook")[-1].params["secret_token"] == SECRET
    assert {status for _, status in fake_at.webhook_posts} == {200, 403}


def unreliable_telegram(fake: FakeBotAPI, step: str) -> None:
    """429s, 5xx and a dropped connection, on sends, edits and button answers."""
    if step == "report":
        fake.fail("sendMessage", 429, retry_after=2, chat_id=RESIDENT)
    elif step == "phone":
        fake.fail("sendMessage", 500, chat_id=STAFF_CHAT)
        fake.fail("sendMessage", 0, chat_id=RESIDENT)
    elif step == "claim":
        fake.fail("answerCallbackQuery", 502)
        fake.fail("editMessageText", 429, retry_after=1)
    elif step == "reply":
        fake.fail("sendMessage", 500, chat_id=RESIDENT, times=2)
    elif step == "resolve":
        fake.fail("sendMessage", 429, retry_after=1, times=2)
    elif step == "fixed":
        fake.fail("editMessageText", 500)
        fake.fail("answerCallbackQuery", 429, retry_after=1)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_story_loses_and_doubles_nothing_when_telegram_fails(
    framework: Framework, fake_at: FakeBotAPI, clock: FakeClock, sqlite_url: str, classifier: Any
) -> None:
    async with running(fake_at, sqlite_url, framework=framework, clock=clock, classifier=classifier) as run:
        await gas_leak_story(Story(run, clock), unreliable_telegram)
    failed = [c for c in fake_at.calls if not c.ok and c.method != "getUpdates"]
    assert sorted({c.status for c in failed}) == [0, 429, 500, 502]
    assert len(failed) == 11  # every injected failure happened (and the story still held)
    assert not any(fake_at._failures.values())


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_429_waits_its_retry_after(
    framework: Framework, fake_at: FakeBotAPI, clock: FakeClock, sqlite_url: str, classifier: Any
) -> None:
    async with running(fake_at, sqlite_url, framework=framework, clock=clock, classifier=classifier) as run:
        fake_at.fail("sendMessage", 429, retry_after=5, chat_id=RESIDENT)
        await fake_at.send(RESIDENT, "3栋1202厨房有煤气味")
        await fake_at.wait_for(lambda: len(fake_at.calls_to("sendMessage", RESIDENT)) == 1)
        await run.transport.join()
        clock.advance(4.5)
        await run.app.outbox.drain()
        assert len(fake_at.calls_to("sendMessage", RESIDENT)) == 1  # still waiting
        clock.advance(0.5)
        await run.app.outbox.drain()
        texts = fake_at.sent_texts(RESIDENT)
        assert len(texts) == 2 and "不要开关" in texts[0]  # in order, once each
