"""Each library in long-polling mode, end to end through the core: `/whereami`, a message
echoed, a button answered and its message edited, media, other groups ignored, the command
menu, restarts. Each test runs through python-telegram-bot and through aiogram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import SendPhoto, SendText
from bot.core.incoming import AttachmentKind, ChatKind
from bot.transports import build_transport
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import (
    FRAMEWORKS,
    RESIDENT,
    STAFF_CHAT,
    EchoHandler,
    Framework,
    Running,
    running,
    stub_classifier,
)


@dataclass
class Bot:
    run: Running
    echo: EchoHandler

    @property
    def fake(self) -> FakeBotAPI:
        return self.run.fake


@pytest.fixture(params=FRAMEWORKS)
async def bot(request: pytest.FixtureRequest, fake: FakeBotAPI, sqlite_url: str) -> AsyncIterator[Bot]:
    async with running(fake, sqlite_url, framework=request.param) as run:
        handler = EchoHandler(run.app)
        run.app.router.handlers.insert(0, handler)
        yield Bot(run, handler)


async def test_whereami_in_any_group(bot: Bot) -> None:
    """Set-up help works in a group that is not the staff group yet."""
    await bot.fake.send(-100200300, "/whereami", user=4440001)
    await bot.run.settled()
    assert "-100200300" in bot.fake.last(-100200300).plain


async def test_a_message_goes_through_the_core_and_back(bot: Bot) -> None:
    words = "3栋1202 <漏水> & *急*_"
    mid = await bot.fake.send(RESIDENT, words)
    await bot.run.settled()
    incoming = bot.echo.seen[-1]
    assert (incoming.chat_id, incoming.user_id, incoming.text) == (str(RESIDENT), str(RESIDENT), words)
    assert incoming.chat_kind is ChatKind.PRIVATE and incoming.message_id == mid
    assert incoming.update_id.startswith(f"tg:{bot.fake.bot_id}:")
    shown = bot.fake.last(RESIDENT)
    assert shown.plain == f"您说：{words}" and shown.button_data == ["echo:ok", "echo:no"]


async def test_a_button_is_answered_and_its_message_edited(bot: Bot) -> None:
    await bot.fake.send(RESIDENT, "你好")
    await bot.run.settled()
    query = await bot.fake.press(RESIDENT, "echo:ok")
    await bot.run.settled()
    pressed = bot.echo.seen[-1]
    assert pressed.button_data == "echo:ok" and pressed.callback_id == query
    assert bot.fake.answers[-1]["callback_query_id"] == query
    assert bot.fake.answers[-1]["text"] == "已收到 <ok>"
    shown = bot.fake.last(RESIDENT)
    assert shown.plain == "已确认：echo:ok" and shown.buttons == [] and shown.edits == 1


async def test_a_residents_photo_reaches_the_staff_group(bot: Bot) -> None:
    await bot.fake.send(RESIDENT, "水管爆了", photo=True)
    await bot.run.settled()
    incoming = bot.echo.seen[-1]
    assert incoming.text == "水管爆了"
    assert incoming.attachment is not None and incoming.attachment.kind is AttachmentKind.PHOTO
    await bot.run.app.outbox.send(
        SendPhoto(str(STAFF_CHAT), photo=incoming.attachment.file_id or "", caption="<b>#7</b> 住户照片")
    )
    await bot.run.settled()
    assert bot.fake.last(STAFF_CHAT).kind == "photo"
    assert bot.fake.calls_to("sendPhoto")[-1].params["photo"] == incoming.attachment.file_id


async def test_other_groups_are_ignored(bot: Bot) -> None:
    await bot.fake.send(-100999, "大家好", user=4440001)
    await bot.fake.send(RESIDENT, "在吗")
    await bot.run.settled()
    assert [i.text for i in bot.echo.seen] == ["在吗"]
    assert bot.fake.calls_to("sendMessage", -100999) == []


async def test_only_messages_edits_and_button_presses_are_asked_for(bot: Bot) -> None:
    poll = await bot.fake.wait_for_call("getUpdates")
    assert set(poll.params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    assert bot.fake.calls_to("deleteWebhook")  # polling clears a webhook left behind


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_what_was_queued_before_a_restart_is_sent_after(
    framework: Framework, fake: FakeBotAPI, sqlite_url: str
) -> None:
    """The core's messages live in the database until sent: a crash loses none of them."""
    fake.chat(RESIDENT)
    settings = Settings(_env_file=None, database_url=sqlite_url)  # type: ignore[call-arg]
    before = await create_app(settings, classifier=stub_classifier())
    await before.start(background=False)
    await before.outbox.send(SendText(str(RESIDENT), "维修师傅10分钟后到"))
    await before.stop()  # no transport ever attached: nothing was sent

    async with running(fake, sqlite_url, framework=framework) as run:
        await fake.wait_for(lambda: bool(fake.messages(RESIDENT)))
        await run.settled()
    assert fake.sent_texts(RESIDENT) == ["维修师傅10分钟后到"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_command_menus_are_set_at_start(framework: Framework, fake: FakeBotAPI, sqlite_url: str) -> None:
    manager = 5550009
    fake.chat(manager)
    async with running(fake, sqlite_url, framework=framework, manager_ids=[str(manager)]):
        pass

    def menu(scope: str, language: str = "") -> set[str]:
        return {c["command"] for c in fake.commands[(scope, language)]}

    assert {"start", "cancel"} <= menu('{"type": "default"}')
    assert {"start", "cancel"} <= menu('{"type": "default"}', "en")  # residents in English
    assert {"open", "whereami"} <= menu(f'{{"chat_id": {STAFF_CHAT}, "type": "chat"}}')
    assert {"notice", "stats"} <= menu(f'{{"chat_id": {manager}, "type": "chat"}}')


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_wrong_token_stops_the_start_with_a_clear_error(
    framework: Framework, fake: FakeBotAPI, sqlite_url: str
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="123:wrong", bot_framework=framework,
        telegram_api_base_url=fake.url, database_url=sqlite_url,
    )
    app = await create_app(settings, classifier=stub_classifier())
    transport = build_transport(app, poll_timeout=1)
    try:
        with pytest.raises(ConnectionError, match="BOT_TOKEN"):
            await transport.start()
    finally:
        await transport.close()
        await app.stop()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_token_that_is_not_one_is_refused_before_anything_starts(
    framework: Framework, sqlite_url: str
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="not a token", bot_framework=framework, database_url=sqlite_url
    )
    with pytest.raises(ValueError, match="BOT_TOKEN"):
        build_transport(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
