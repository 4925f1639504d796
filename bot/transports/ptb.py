"""The python-telegram-bot 22 adapter (`telegram.ext.Application`).

Receiving is shared (`base.py`: getUpdates through `bot.get_updates`, stored before the next
offset confirms it); the library's `Updater` and handlers are not used. No rate limiter and no retries in the library: the outbox sees every 429 and
5xx and decides. The job queue is off (the app has its own scheduler).
"""

from __future__ import annotations

import datetime as dtm
import logging
import os
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder

from bot.core.actions import Keyboard
from bot.core.errors import DeliveryError
from bot.transports.base import BotIdentity, TelegramTransport
from bot.transports.sender import ChatRef, TelegramSender, delivery_error

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, web_app=WebAppInfo(b.web_app))
                if b.web_app
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class PtbSender(TelegramSender):
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot

    async def send_text(
        self, chat_id: ChatRef, text: str, buttons: Keyboard | None, reply_to: int | None
    ) -> int:
        message = await self.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup(buttons),
            reply_parameters=_reply(reply_to), link_preview_options=_NO_PREVIEW,
        )
        return message.message_id

    async def edit_text(
        self, chat_id: ChatRef, message_id: int, text: str, buttons: Keyboard | None
    ) -> None:
        await self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
            reply_markup=markup(buttons), link_preview_options=_NO_PREVIEW,
        )

    async def answer(self, callback_id: str, text: str | None, alert: bool) -> None:
        await self.bot.answer_callback_query(callback_id, text=text, show_alert=alert)

    async def send_photo(
        self, chat_id: ChatRef, photo: str | bytes, filename: str, caption: str | None,
        buttons: Keyboard | None, reply_to: int | None,
    ) -> int:
        media: str | InputFile = photo if isinstance(photo, str) else InputFile(photo, filename)
        message = await self.bot.send_photo(
            chat_id, media, caption=caption, parse_mode=ParseMode.HTML,
            reply_markup=markup(buttons), reply_parameters=_reply(reply_to),
        )
        return message.message_id

    async def send_document(
        self, chat_id: ChatRef, content: bytes, filename: str, caption: str | None,
        reply_to: int | None,
    ) -> int:
        message = await self.bot.send_document(
            chat_id, InputFile(content, filename), caption=caption, parse_mode=ParseMode.HTML,
            reply_parameters=_reply(reply_to),
        )
        return message.message_id

    def translate(self, exc: Exception) -> DeliveryError | None:
        if isinstance(exc, RetryAfter):
            return delivery_error(429, exc.message, retry_after=_seconds(exc.retry_after))
        if isinstance(exc, ChatMigrated):
            return delivery_error(400, exc.message, migrate_to_chat_id=exc.new_chat_id)
        if isinstance(exc, Forbidden):
            return delivery_error(403, exc.message)
        if isinstance(exc, BadRequest):  # a subclass of NetworkError: ask first
            return delivery_error(400, exc.message)
        if isinstance(exc, (InvalidToken, EndPointNotFound)):
            return delivery_error(401, exc.message)
        if isinstance(exc, Conflict):
            return delivery_error(409, exc.message)
        if isinstance(exc, NetworkError):  # timeouts, connection errors, every 5xx
            return delivery_error(None, exc.message)
        if isinstance(exc, TelegramError):
            return delivery_error(400, exc.message)
        if isinstance(exc, OSError):
            return delivery_error(None, str(exc))
        return None


class PtbTransport(TelegramTransport):
    name = "ptb"

    def __init__(self, app: App, *, poll_timeout: int = 30) -> None:
        super().__init__(app, poll_timeout=poll_timeout)
        # PTB's documented opt-in to time periods as timedelta (the coming default); without
        # it every 429 raises a deprecation warning inside the library.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self.application = (
            ApplicationBuilder()
            .token(self.token)
            .base_url(f"{self.api_base_url}/bot")
            .base_file_url(f"{self.api_base_url}/file/bot")
            .job_queue(None)
            .updater(None)
            .build()
        )
        self._sender = PtbSender(self.application)

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    async def _open(self) -> BotIdentity:
        await self.application.initialize()  # getMe
        me = self.application.bot
        return BotIdentity(me.id, me.username)

    async def _close(self) -> None:
        await self.application.shutdown()
        await self.application.bot.shutdown()  # its HTTP clients, even when getMe failed

    async def _get_updates(
        self, offset: int | None, wait: int, allowed_updates: list[str], limit: int
    ) -> list[dict[str, Any]]:
        # PTB adds the long-poll time to the read timeout of this call itself
        updates = await self.application.bot.get_updates(
            offset=offset, limit=limit, timeout=dtm.timedelta(seconds=wait),
            allowed_updates=allowed_updates,
        )
        return [update.to_dict() for update in updates]

    async def _delete_webhook(self) -> None:
        await self.application.bot.delete_webhook(drop_pending_updates=False)

    async def _set_webhook(self, url: str, secret: str, allowed_updates: list[str]) -> None:
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False
        )

    async def _set_commands(
        self, commands: list[tuple[str, str]], chat_id: int | None, language: str | None
    ) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else BotCommandScopeDefault()
        await self.application.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], scope=scope, language_code=language
        )
