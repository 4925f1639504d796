"""Run the real app behind a real Telegram library against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import AnswerButton, EditText, SendText, keyboard
from bot.core.clock import Clock
from bot.core.incoming import Incoming
from bot.texts import escape
from bot.transports import build_transport
from bot.transports.base import TelegramTransport
from tests.fakes.bot_api import FakeBotAPI

Framework = Literal["ptb", "aiogram"]
FRAMEWORKS: tuple[Framework, ...] = ("ptb", "aiogram")
STAFF_CHAT = -1001234567890
RESIDENT = 5550001
SECRET = "s3cret-Token_for-tests"
POLL_TIMEOUT = 1  # seconds a long poll waits: short, so stopping is quick


class _UnusedClassifier:
    def classify(self, text: str) -> Any:
        raise AssertionError(f"this test should not classify {text!r}")


def stub_classifier() -> Any:
    """For tests that never classify (the real classifier loads dictionaries)."""
    return _UnusedClassifier()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    app: App
    transport: TelegramTransport
    fake: FakeBotAPI

    async def settled(self, within: float = 30.0) -> None:
        """Until every update pushed so far is handled and the outbox has sent everything.
        (The fake forgets an update when the next getUpdates confirms it, which both
        libraries do only once it is in their queue; a webhook POST returns once queued.)"""
        async with asyncio.timeout(within):
            while True:
                await self.fake.wait_for(lambda: self.fake.pending_updates == 0, within)
                await self.transport.join()
                if await self.app.outbox.pending_count() == 0 and not self.fake.pending_updates:
                    return
                await asyncio.sleep(0.02)


@asynccontextmanager
async def running(
    fake: FakeBotAPI,
    database_url: str,
    *,
    framework: str,
    handlers: Iterable[Any] = (),
    clock: Clock | None = None,
    classifier: Any = None,
    **overrides: Any,
) -> AsyncIterator[Running]:
    """The app (with its outbox worker) behind `framework`, polling `fake` unless
    WEBHOOK_URL is in `overrides`; stopped in the order `python -m bot run` stops it."""
    values: dict[str, Any] = {
        "bot_token": fake.token, "bot_framework": framework,
        "telegram_api_base_url": fake.url, "database_url": database_url,
        "staff_chat_id": str(STAFF_CHAT), **overrides,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    fake.chat(int(settings.staff_chat_id))  # the bot is a member of the staff group
    app = await create_app(settings, clock=clock, classifier=classifier or stub_classifier())
    for handler in handlers:
        app.router.handlers.insert(0, handler)
    await app.start()
    transport = build_transport(app, poll_timeout=POLL_TIMEOUT)
    try:
        await transport.start()
        yield Running(app, transport, fake)
    finally:
        await transport.stop()
        await app.stop()
        await transport.close()


@dataclass
class EchoHandler:
    """A stand-in for the resident handler: records what arrives, echoes texts with two
    buttons, answers a press and edits the message that carried the button."""

    app: App
    seen: list[Incoming] = field(default_factory=list)

    async def accepts(self, incoming: Incoming) -> bool:
        return incoming.is_private

    async def handle(self, incoming: Incoming) -> None:
        self.seen.append(incoming)
        chat = incoming.chat_id
        if incoming.is_button:
            assert incoming.callback_id and incoming.message_id
            await self.app.outbox.send(AnswerButton(incoming.callback_id, "已收到 &lt;ok&gt;", chat_id=chat))
            await self.app.outbox.send(EditText(chat, incoming.message_id, f"已确认：<b>{escape(incoming.button_data)}</b>"))
        elif incoming.text is not None:
            await self.app.outbox.send(
                SendText(chat, f"您说：<b>{escape(incoming.text)}</b>",
                         keyboard([("好的", "echo:ok"), ("不对", "echo:no")]))
            )
