"""Both libraries render the core's actions the same way and translate Telegram's errors
into the core's: each test runs through python-telegram-bot and through aiogram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.actions import AnswerButton, EditText, SendDocument, SendPhoto, SendText, keyboard
from bot.core.errors import (
    Blocked,
    ChatMigrated,
    DeliveryError,
    NotModified,
    PermanentError,
    RetryAfter,
    TemporaryError,
)
from bot.texts import escape
from bot.transports.sender import TelegramSender
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import FRAMEWORKS, RESIDENT, STAFF_CHAT, Running, running

PNG = b"\x89PNG\r\n\x1a\n fake chart"
CHAT = str(RESIDENT)


@pytest.fixture(params=FRAMEWORKS)
async def bot(request: pytest.FixtureRequest, fake: FakeBotAPI, sqlite_url: str) -> AsyncIterator[Running]:
    fake.chat(RESIDENT)
    fake.chat(STAFF_CHAT)
    async with running(fake, sqlite_url, framework=request.param) as run:
        yield run


def _sender(bot: Running) -> TelegramSender:
    return bot.transport.sender


async def _send(bot: Running, action: SendText | SendPhoto | SendDocument | EditText | AnswerButton,
                reply_to: int | None = None, target: int | None = None) -> int | None:
    return await _sender(bot).deliver(action, reply_to_message_id=reply_to, target_message_id=target)


async def test_text_with_buttons_in_html(bot: Running) -> None:
    first = await _send(bot, SendText(CHAT, "<b>已收到</b>"))
    mid = await _send(bot, SendText(CHAT, "请选择：", keyboard([("是", "flow:yes"), ("否", "flow:no")])),
                      reply_to=first)
    shown = bot.fake.last(RESIDENT)
    assert shown.message_id == mid
    assert shown.parse_mode == "HTML" and shown.plain == "请选择："
    assert shown.button_texts == ["是", "否"] and shown.button_data == ["flow:yes", "flow:no"]
    assert shown.reply_to == first
    assert bot.fake.messages(RESIDENT)[0].plain == "已收到"
    call = bot.fake.calls_to("sendMessage")[-1]
    assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_a_residents_words_never_break_a_send(bot: Running) -> None:
    """The core escapes the resident's words (`app.texts.get`); every send goes through and
    shows them exactly as typed."""
    for words in ("a<b && c>d", "*粗体* _斜体_ `code`", "<script>&amp;</script>", "1 < 2 & 3 > 2"):
        text = bot.app.texts.get(
            "common.internal_error", "zh", police=words, fire="119", ambulance="120"
        )
        assert escape(words) in text
        await _send(bot, SendText(CHAT, text))
        assert words in bot.fake.last(RESIDENT).plain


async def test_a_reply_to_a_vanished_message_is_still_sent(bot: Running) -> None:
    await _send(bot, SendText(CHAT, "仍然送达"), reply_to=999)
    assert bot.fake.last(RESIDENT).plain == "仍然送达"


async def test_a_text_too_long_for_one_message_is_sent_in_parts(bot: Running) -> None:
    text = "\n".join(f"<b>{n}</b> 号楼 停水通知" for n in range(600))
    mid = await _send(bot, SendText(CHAT, text, keyboard([("知道了", "nt:ack:1")])))
    shown = bot.fake.messages(RESIDENT)
    assert len(shown) >= 2
    assert shown[-1].message_id == mid and shown[-1].button_data == ["nt:ack:1"]
    assert all(not m.buttons for m in shown[:-1])
    assert "".join(m.plain for m in shown).count("号楼") == 600


async def test_edit_text_and_buttons(bot: Running) -> None:
    mid = await _send(bot, SendText(STAFF_CHAT_S, "[紧急] #1", keyboard([("接单", "tk:claim:1")])))
    assert mid is not None
    assert await _send(bot, EditText(STAFF_CHAT_S, mid, "[紧急] #1 · 李师傅已接单",
                                     keyboard([("已到场", "tk:onsite:1")])), target=mid) == mid
    shown = bot.fake.last(STAFF_CHAT)
    assert shown.plain == "[紧急] #1 · 李师傅已接单" and shown.button_data == ["tk:onsite:1"]
    await _send(bot, EditText(STAFF_CHAT_S, mid, "[紧急] #1 · 已解决"), target=mid)
    assert bot.fake.last(STAFF_CHAT).buttons == [] and bot.fake.last(STAFF_CHAT).edits == 2


async def test_an_identical_edit_is_not_modified(bot: Running) -> None:
    mid = await _send(bot, SendText(CHAT, "同样的内容"))
    with pytest.raises(NotModified):
        await _send(bot, EditText(CHAT, mid or 0, "同样的内容"), target=mid)


async def test_a_button_answer_is_plain_text(bot: Running) -> None:
    query = bot.fake.callback_query_id()
    await _send(bot, AnswerButton(query, "已接单 &lt;#1&gt; <b>谢谢</b>" + "。" * 300, alert=True))
    answer = bot.fake.answers[-1]
    assert answer["text"].startswith("已接单 <#1> 谢谢") and len(answer["text"]) == 200
    assert answer["show_alert"] is True
    with pytest.raises(PermanentError):  # a press answered twice: Telegram says it is too old
        await _send(bot, AnswerButton(query, "again"))


async def test_photos_by_file_id_and_as_bytes(bot: Running) -> None:
    file_id = bot.fake.file()  # a resident's photo, passed on to the staff group
    await _send(bot, SendPhoto(STAFF_CHAT_S, photo=file_id, caption="住户照片 <b>#3</b>"))
    assert bot.fake.last(STAFF_CHAT).kind == "photo" and bot.fake.last(STAFF_CHAT).plain == "住户照片 #3"
    await _send(bot, SendPhoto(CHAT, content=PNG, filename="chart.png", caption="本周报修"))
    upload = bot.fake.calls_to("sendPhoto")[-1].files["photo"]
    assert (upload.filename, upload.content) == ("chart.png", PNG)


async def test_a_caption_too_long_follows_the_photo_as_text(bot: Running) -> None:
    caption = "说明：" + "很长的说明。" * 300
    mid = await _send(bot, SendPhoto(CHAT, content=PNG, caption=caption, buttons=keyboard([("好", "x:1")])))
    kinds = [m.kind for m in bot.fake.messages(RESIDENT)]
    assert kinds[0] == "photo" and set(kinds[1:]) == {"text"}
    assert bot.fake.messages(RESIDENT)[0].plain == ""
    assert bot.fake.last(RESIDENT).message_id == mid and bot.fake.last(RESIDENT).button_data == ["x:1"]


async def test_documents_as_bytes(bot: Running) -> None:
    content = "编号,类型\n1,燃气\n".encode()
    await _send(bot, SendDocument(CHAT, "报修记录.csv", content, caption="<b>导出</b>"))
    call = bot.fake.calls_to("sendDocument")[-1]
    assert (call.files["document"].filename, call.files["document"].content) == ("报修记录.csv", content)
    assert bot.fake.last(RESIDENT).kind == "document" and bot.fake.last(RESIDENT).plain == "导出"


STAFF_CHAT_S = str(STAFF_CHAT)


ERROR_CASES: list[tuple[int, dict[str, Any], type[DeliveryError]]] = [
    (429, {"retry_after": 7}, RetryAfter),
    (403, {}, Blocked),
    (400, {}, PermanentError),
    (400, {"description": "Bad Request: message is not modified: same"}, NotModified),
    (500, {}, TemporaryError),
    (502, {}, TemporaryError),
    (0, {}, TemporaryError),  # the connection drops
    (400, {"migrate_to_chat_id": -100777}, ChatMigrated),  # the group became a supergroup
    (401, {"description": "Unauthorized"}, TemporaryError),  # fix the token; keep the messages
]


async def test_telegram_errors_become_core_errors(bot: Running) -> None:
    for attempt, (status, kwargs, error) in enumerate(ERROR_CASES, start=1):
        bot.fake.fail("sendMessage", status, **kwargs)
        with pytest.raises(error) as raised:
            await _send(bot, SendText(CHAT, "x"))
        assert type(raised.value) is error, (status, kwargs)
        if isinstance(raised.value, RetryAfter):
            assert raised.value.seconds == 7
        # exactly one request per send: the library retried nothing behind the outbox's back
        assert len(bot.fake.calls_to("sendMessage")) == attempt


async def test_a_chat_the_bot_does_not_know(bot: Running) -> None:
    with pytest.raises(PermanentError):
        await _send(bot, SendText("-100555", "x"))
    with pytest.raises(Blocked):  # a user who never pressed Start
        await _send(bot, SendText("5559999", "x"))


async def test_files_are_downloaded_from_the_configured_server(bot: Running) -> None:
    """TELEGRAM_API_BASE_URL covers file downloads too (a resident's photo, say)."""
    from bot.transports.aiogram import AiogramTransport
    from bot.transports.ptb import PtbTransport

    content = b"\xff\xd8\xff a resident's photo"
    file_id = bot.fake.file(content)
    transport = bot.transport
    if isinstance(transport, PtbTransport):
        file = await transport.application.bot.get_file(file_id)
        assert file.file_path is not None and file.file_path.startswith(bot.fake.url)
        assert bytes(await file.download_as_bytearray()) == content
    else:
        assert isinstance(transport, AiogramTransport)
        downloaded = await transport.bot.download(file_id)
        assert downloaded is not None and downloaded.read() == content
    assert bot.fake.calls_to("getFile")[-1].params["file_id"] == file_id
