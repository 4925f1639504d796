"""The python-telegram-bot 22 adapter (`telegram.ext.Application`).

Every update goes through one `TypeHandler` into the shared conversion (`updates.py`) and
`app.handle`. No rate limiter and no retries in the library: the outbox sees every 429 and
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
    Update,
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
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

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
        builder = (
            ApplicationBuilder()
            .token(self.token)
            .base_url(f"{self.api_base_url}/bot")
            .base_file_url(f"{self.api_base_url}/file/bot")
            .job_queue(None)
        )
        if self.mode == "webhook":
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._sender = PtbSender(self.application)

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    async def _open(self) -> BotIdentity:
        await self.application.initialize()  # getMe
        me = self.application.bot
        await self.application.start()
        return BotIdentity(me.id, me.username)

    async def _close(self) -> None:
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.application.bot.shutdown()  # its HTTP clients, even when getMe failed

    async def _start_polling(self, allowed_updates: list[str]) -> None:
        updater = self.application.updater
        assert updater is not None
        # Deletes any webhook first (bootstrap); fetched updates are confirmed on the next call.
        await updater.start_polling(
            timeout=dtm.timedelta(seconds=self.poll_timeout), allowed_updates=allowed_updates,
            drop_pending_updates=False,
        )

    async def _stop_polling(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    async def _finish_updates(self) -> None:
        # Application.stop() would drop what is still queued: handle it first.
        await self.join()

    async def join(self) -> None:
        await self.application.update_queue.join()

    async def _set_webhook(self, url: str, secret: str, allowed_updates: list[str]) -> None:
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False
        )

    async def feed(self, update: dict[str, Any]) -> None:
        await self.application.update_queue.put(Update.de_json(update, self.application.bot))

    async def _set_commands(
        self, commands: list[tuple[str, str]], chat_id: int | None, language: str | None
    ) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else BotCommandScopeDefault()
        await self.application.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], scope=scope, language_code=language
        )

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle(update.to_dict())

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("ptb: an update could not be handled", exc_info=context.error)
