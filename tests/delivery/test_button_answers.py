"""Button answers first: answerCallbackQuery never waits behind a chat's sends, edits or 429
backoff, and every press is answered, even one the router drops or whose handler raises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.actions import Action, AnswerButton, SendText
from bot.core.clock import FakeClock
from bot.core.errors import RetryAfter, TemporaryError
from bot.core.incoming import ChatKind, Incoming
from bot.delivery.outbox import Outbox
from bot.storage import Database
from tests.fakes.bot_api import FakeBotAPI
from tests.support.harness import Harness, make_harness
from tests.support.recording_sender import RecordingSender
from tests.transports.support import RESIDENT, EchoHandler, running


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def outbox(sqlite_url: str) -> AsyncIterator[Outbox]:
    db = Database(sqlite_url)
    await db.upgrade()
    box = Outbox(db, FakeClock())
    box.sender = RecordingSender()
    yield box
    await db.dispose()


def kinds(sender: RecordingSender) -> list[str]:
    return [a.callback_id if isinstance(a, AnswerButton) else a.text for a, _ in sender.log]  # type: ignore[union-attr]


async def test_an_answer_leaves_before_the_rows_queued_ahead_of_it(outbox: Outbox) -> None:
    for text in ("a", "b", "c"):
        await outbox.send(SendText("c1", text))
    await outbox.send(AnswerButton("cb1", "已接单", chat_id="c1"))
    await outbox.drain()
    assert isinstance(outbox.sender, RecordingSender)
    assert kinds(outbox.sender) == ["cb1", "a", "b", "c"]


async def test_an_answer_does_not_wait_out_its_chats_429(outbox: Outbox) -> None:
    sender = outbox.sender
    assert isinstance(sender, RecordingSender)
    sender.fail_next = [RetryAfter(30)]
    await outbox.send(SendText("c1", "held"))
    await outbox.drain()
    assert sender.log == []  # the chat waits 30 s
    await outbox.send(AnswerButton("cb1", "好", chat_id="c1"))
    await outbox.drain()
    assert kinds(sender) == ["cb1"] and await outbox.pending_count() == 1


async def test_an_answer_overtakes_a_drain_in_progress(outbox: Outbox) -> None:
    """A press answered while the worker delivers a long backlog goes out after the row in
    flight, not after the backlog."""
    recording = outbox.sender
    assert isinstance(recording, RecordingSender)
    first_row = asyncio.Event()
    release = asyncio.Event()

    class Slow:
        async def deliver(self, action: Action, **kw: Any) -> int | None:
            if isinstance(action, SendText) and action.text == "0":
                first_row.set()
                await release.wait()
            return await recording.deliver(action, **kw)

    outbox.sender = Slow()
    for n in range(5):
        await outbox.send(SendText("c1", str(n)))
    drain = asyncio.create_task(outbox.drain())
    await first_row.wait()
    await outbox.send(AnswerButton("cb1", chat_id="c2"))
    release.set()
    await drain
    assert kinds(recording) == ["0", "cb1", "1", "2", "3", "4"]


async def test_a_press_is_answered_once_and_a_failed_answer_retried(outbox: Outbox) -> None:
    sender = outbox.sender
    assert isinstance(sender, RecordingSender)
    sender.fail_next = [TemporaryError("connection reset")]
    await outbox.send(AnswerButton("cb1", "一", chat_id="c1"))
    await outbox.send(AnswerButton("cb1", "二", chat_id="c1"))  # a second answer: dropped
    assert outbox.answered("cb1") and not outbox.answered("cb2")
    await outbox.drain()
    await asyncio.sleep(0.6)
    await outbox.drain()
    assert [a.text for a in sender.answers] == ["一"]


# -- every press is answered ----------------------------------------------------------------
class _Stub:
    def classify(self, text: str) -> Any:
        raise AssertionError("not classified here")


@pytest.fixture
async def h(sqlite_url: str) -> AsyncIterator[Harness]:
    harness = await make_harness(sqlite_url, classifier=_Stub())
    yield harness
    await harness.close()


def press(chat: str, data: str, *, group: bool = False, callback: str = "cbX") -> Incoming:
    return Incoming(
        update_id=f"press-{callback}", chat_id=chat, user_id="4440001",
        chat_kind=ChatKind.GROUP if group else ChatKind.PRIVATE, button_data=data,
        callback_id=callback, message_id=7,
    )


async def test_a_press_the_router_drops_is_answered(h: Harness) -> None:
    await h._feed(press("-100999", "tk:claim:1", group=True, callback="cb-other-group"))
    assert [a.callback_id for a in h.sender.answers] == ["cb-other-group"]
    assert h.sender.shown == {}


async def test_a_press_whose_handler_raises_is_answered_not_posted(h: Harness) -> None:
    class Broken:
        async def accepts(self, incoming: Incoming) -> bool:
            return True

        async def handle(self, incoming: Incoming) -> None:
            raise RuntimeError("boom")

    h.app.router.handlers.insert(0, Broken())
    await h._feed(press(h.staff_chat, "tk:claim:²", group=True, callback="cb-broken"))
    assert [a.callback_id for a in h.sender.answers] == ["cb-broken"]
    assert "系统出了点问题" in (h.sender.answers[0].text or "")
    assert h.sender.messages(h.staff_chat) == []  # no resident apology in the staff group


async def test_a_redelivered_press_is_still_answered(h: Harness) -> None:
    await h._feed(press("1001", "nothing:known", callback="cb-dup"))
    h.app.outbox._answered.clear()  # as after a restart
    await h._feed(press("1001", "nothing:known", callback="cb-dup"))
    assert [a.callback_id for a in h.sender.answers] == ["cb-dup", "cb-dup"]


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_through_telegram_a_press_is_answered_while_its_chat_waits_out_a_429(
    framework: str, fake: FakeBotAPI, sqlite_url: str
) -> None:
    fake.chat(RESIDENT)
    async with running(fake, sqlite_url, framework=framework) as run:
        run.app.router.handlers.insert(0, EchoHandler(run.app))
        await fake.send(RESIDENT, "你好")
        await run.settled()
        fake.fail("editMessageText", 429, retry_after=30, chat_id=RESIDENT)
        fake.fail("sendMessage", 429, retry_after=30, chat_id=RESIDENT)
        await run.app.outbox.send(SendText(str(RESIDENT), "排队中"))
        await fake.wait_for_call("sendMessage", 2)  # the chat is now in its 30 s backoff
        query = await fake.press(RESIDENT, "echo:ok")
        await fake.wait_for(lambda: any(a["callback_query_id"] == query for a in fake.answers), 5)
