"""The life-saving lines past the library (`bot/transports/lines.py`): what Telegram answers
is read like the library's answers, and only urgent one-message texts take that way."""

from __future__ import annotations

import pytest

from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import Button, SendText
from bot.core.errors import Blocked, ChatMigrated, PermanentError, RetryAfter, TemporaryError
from bot.transports.lines import LineSender
from bot.transports.ptb import PtbTransport
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import stub_classifier

RESIDENT = 7100001


async def test_a_line_is_sent_as_html_and_its_message_id_returned(fake: FakeBotAPI) -> None:
    fake.chat(RESIDENT)
    lines = LineSender(fake.url, fake.token)
    try:
        message_id = await lines.send(RESIDENT, "⚠️ <b>马上</b>关掉燃气阀门")
    finally:
        await lines.close()
    shown = fake.last(RESIDENT)
    assert shown.plain == "⚠️ 马上关掉燃气阀门" and shown.message_id == message_id


@pytest.mark.parametrize(
    ("status", "extra", "error"),
    [
        (429, {"retry_after": 7}, RetryAfter),
        (403, {}, Blocked),
        (400, {"migrate_to_chat_id": -1009}, ChatMigrated),
        (400, {}, PermanentError),
        (502, {}, TemporaryError),
        (0, {}, TemporaryError),  # the connection drops without an answer
    ],
)
async def test_failures_read_as_the_library_reads_them(
    fake: FakeBotAPI, status: int, extra: dict[str, int], error: type[Exception]
) -> None:
    fake.fail("sendMessage", status, **extra)
    lines = LineSender(fake.url, fake.token)
    try:
        with pytest.raises(error) as raised:
            await lines.send(RESIDENT, "关掉燃气阀门")
    finally:
        await lines.close()
    if status == 429:
        assert isinstance(raised.value, RetryAfter) and raised.value.seconds == 7


async def test_only_urgent_single_texts_take_the_short_way(fake: FakeBotAPI) -> None:
    class Library(LineSender):
        def __init__(self) -> None:
            super().__init__(fake.url, fake.token)
            self.sent: list[str] = []

        async def send(self, chat_id: int | str, text: str) -> int:
            self.sent.append(text)
            return await super().send(chat_id, text)

    fake.chat(RESIDENT)
    app = await create_app(
        Settings(_env_file=None, bot_token=fake.token, telegram_api_base_url=fake.url,  # type: ignore[call-arg]
                 database_url="sqlite+aiosqlite:///:memory:"),
        classifier=stub_classifier(),
    )
    transport = PtbTransport(app)
    await transport._open()
    lines = Library()
    transport.sender.lines = lines
    try:
        chat = str(RESIDENT)
        await transport.sender.deliver(SendText(chat, "关掉燃气阀门", urgent=True),
                                       reply_to_message_id=None, target_message_id=None)
        await transport.sender.deliver(SendText(chat, "请留一个电话"),
                                       reply_to_message_id=None, target_message_id=None)
        await transport.sender.deliver(
            SendText(chat, "有按钮", buttons=((Button("好", "x"),),), urgent=True),
            reply_to_message_id=None, target_message_id=None,
        )
        await transport.sender.deliver(SendText(chat, "长" * 5000, urgent=True),
                                       reply_to_message_id=None, target_message_id=None)
    finally:
        await lines.close()
        await transport._close()
        await app.db.dispose()
    assert lines.sent == ["关掉燃气阀门"]
    texts = fake.sent_texts(RESIDENT)
    assert texts[:3] == ["关掉燃气阀门", "请留一个电话", "有按钮"] and len(texts) == 5
