"""Webhook mode, for each library: Telegram's POSTs carry the secret; anything else is
refused and never reaches the core."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.bootstrap import create_app
from bot.config import Settings
from bot.transports import build_transport
from bot.transports.base import webhook_path
from bot.transports.webhook import SECRET_HEADER
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import (
    FRAMEWORKS,
    RESIDENT,
    SECRET,
    EchoHandler,
    Running,
    free_port,
    running,
    stub_classifier,
)

PATH = "/telegram/hook"


@pytest.fixture(params=FRAMEWORKS)
async def hooked(request: pytest.FixtureRequest, fake: FakeBotAPI, sqlite_url: str) -> AsyncIterator[tuple[Running, EchoHandler]]:
    port = free_port()
    async with running(
        fake, sqlite_url, framework=request.param,
        webhook_url=f"http://127.0.0.1:{port}{PATH}", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=port,
    ) as run:
        echo = EchoHandler(run.app)
        run.app.router.handlers.insert(0, echo)
        yield run, echo


async def test_the_webhook_is_registered_with_its_secret(hooked: tuple[Running, EchoHandler]) -> None:
    run, _ = hooked
    call = run.fake.calls_to("setWebhook")[-1]
    assert call.params["url"] == run.fake.webhook_url and call.params["url"].endswith(PATH)
    assert call.params["secret_token"] == SECRET
    assert set(call.params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    assert not call.params.get("drop_pending_updates")
    assert run.fake.calls_to("getUpdates") == []


async def test_updates_with_the_secret_are_handled(hooked: tuple[Running, EchoHandler]) -> None:
    run, echo = hooked
    await run.fake.send(RESIDENT, "楼道灯不亮 <3栋>")
    await run.settled()
    assert run.fake.webhook_posts[-1][1] == 200
    assert echo.seen[-1].text == "楼道灯不亮 <3栋>"
    assert run.fake.last(RESIDENT).plain == "您说：楼道灯不亮 <3栋>"
    await run.fake.press(RESIDENT, "echo:ok")
    await run.settled()
    assert run.fake.answers and run.fake.last(RESIDENT).plain == "已确认：echo:ok"


async def test_a_request_without_the_right_secret_is_refused(
    hooked: tuple[Running, EchoHandler],
) -> None:
    run, echo = hooked
    forged = {"update_id": 1, "message": {
        "message_id": 1, "date": 1, "text": "/whereami",
        "chat": {"id": RESIDENT, "type": "private", "first_name": "x"},
        "from": {"id": RESIDENT, "is_bot": False, "first_name": "x"},
    }}
    for secret in (None, "", "wrong-secret", SECRET + "x", SECRET.upper()):
        assert await run.fake.post_to_webhook(forged, secret=secret) == 403, secret
    await run.settled()
    assert echo.seen == [] and run.fake.calls_to("sendMessage") == []


async def test_health_and_garbage(hooked: tuple[Running, EchoHandler]) -> None:
    run, _ = hooked
    assert run.transport.webhook is not None
    base = f"http://127.0.0.1:{run.transport.webhook.port}"
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{base}/healthz") as resp:
            assert (resp.status, await resp.text()) == (200, "ok")
        async with client.post(f"{base}{PATH}", data=b"{not json",
                               headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status == 400
        async with client.post(f"{base}/elsewhere", json={}, headers={SECRET_HEADER: SECRET}) as resp:
            assert resp.status in (404, 405)


async def test_webhook_mode_needs_a_valid_secret(fake: FakeBotAPI, sqlite_url: str) -> None:
    for secret in (None, "has spaces", "x" * 257):
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, bot_token=fake.token, telegram_api_base_url=fake.url,
            database_url=sqlite_url, webhook_url="https://bot.example.com/tg", webhook_secret=secret,
        )
        app = await create_app(settings, classifier=stub_classifier())
        transport = build_transport(app)
        try:
            with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
                await transport.start()
        finally:
            await transport.close()
            await app.stop()
    assert fake.calls == []  # refused before anything was asked of Telegram


def test_the_local_path_follows_the_public_url_unless_set() -> None:
    settings = Settings(_env_file=None, webhook_url="https://bot.example.com/tg/hook")  # type: ignore[call-arg]
    assert webhook_path(settings) == "/tg/hook"
    assert webhook_path(settings.model_copy(update={"webhook_path": "/internal"})) == "/internal"
    assert webhook_path(settings.model_copy(update={"webhook_url": "https://bot.example.com"})) == "/"


async def test_a_webhook_telegram_refuses_stops_the_start_and_frees_the_port(
    fake: FakeBotAPI, sqlite_url: str
) -> None:
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=fake.token, telegram_api_base_url=fake.url,
        database_url=sqlite_url, webhook_url=f"http://127.0.0.1:{port}/tg", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=port,
    )
    fake.fail("setWebhook", 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    app = await create_app(settings, classifier=stub_classifier())
    transport = build_transport(app)
    try:
        with pytest.raises(ConnectionError, match=r"(?i)https url"):
            await transport.start()
        assert transport.webhook is None
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # nothing listens there any more
    finally:
        await transport.close()
        await app.stop()
