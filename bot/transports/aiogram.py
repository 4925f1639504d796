"""The aiogram 3 adapter (`Dispatcher` with one `Router`).

The router's message and callback-query handlers turn each update into an `Incoming` (the
shared conversion in `updates.py`) and queue it; one worker feeds the core in arrival order
(`SerialHandler`), so stopping never cuts an update in half. The session has no retry
middleware: the outbox sees every 429 and 5xx and decides.

Absolute imports only: this module is `bot.transports.aiogram`, the library is `aiogram`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    WebAppInfo,
)

from bot.core.actions import Keyboard
from bot.core.errors import DeliveryError
from bot.transports.base import BotIdentity, TelegramTransport
from bot.transports.sender import ChatRef, TelegramSender, delivery_error
from bot.transports.serial import SerialHandler
from bot.transports.updates import incoming_from_callback, incoming_from_message, update_key

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

HTML = "HTML"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.text, web_app=WebAppInfo(url=b.web_app))
                if b.web_app
                else InlineKeyboardButton(text=b.text, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


def _json(obj: Message | CallbackQuery) -> dict[str, Any]:
    """The Bot API form of an aiogram object (dates as unix time, `from` not `from_user`)."""
    return obj.model_dump(by_alias=True, exclude_none=True, mode="json")


class AiogramSender(TelegramSender):
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(
        self, chat_id: ChatRef, text: str, buttons: Keyboard | None, reply_to: int | None
    ) -> int:
        message = await self.bot.send_message(
            chat_id=chat_id, text=text, parse_mode=HTML, reply_markup=markup(buttons),
            reply_parameters=_reply(reply_to), link_preview_options=_NO_PREVIEW,
        )
        return message.message_id

    async def edit_text(
        self, chat_id: ChatRef, message_id: int, text: str, buttons: Keyboard | None
    ) -> None:
        await self.bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, parse_mode=HTML,
            reply_markup=markup(buttons), link_preview_options=_NO_PREVIEW,
        )

    async def answer(self, callback_id: str, text: str | None, alert: bool) -> None:
        await self.bot.answer_callback_query(callback_id, text=text, show_alert=alert)

    async def send_photo(
        self, chat_id: ChatRef, photo: str | bytes, filename: str, caption: str | None,
        buttons: Keyboard | None, reply_to: int | None,
    ) -> int:
        media = photo if isinstance(photo, str) else BufferedInputFile(photo, filename)
        message = await self.bot.send_photo(
            chat_id=chat_id, photo=media, caption=caption, parse_mode=HTML,
            reply_markup=markup(buttons), reply_parameters=_reply(reply_to),
        )
        return message.message_id

    async def send_document(
        self, chat_id: ChatRef, content: bytes, filename: str, caption: str | None,
        reply_to: int | None,
    ) -> int:
        message = await self.bot.send_document(
            chat_id=chat_id, document=BufferedInputFile(content, filename), caption=caption,
            parse_mode=HTML, reply_parameters=_reply(reply_to),
        )
        return message.message_id

    def translate(self, exc: Exception) -> DeliveryError | None:
        if isinstance(exc, TelegramRetryAfter):
            return delivery_error(429, exc.message, retry_after=exc.retry_after)
        if isinstance(exc, TelegramMigrateToChat):
            return delivery_error(400, exc.message, migrate_to_chat_id=exc.migrate_to_chat_id)
        if isinstance(exc, TelegramForbiddenError):
            return delivery_error(403, exc.message)
        if isinstance(exc, TelegramBadRequest):
            return delivery_error(400, exc.message)
        if isinstance(exc, (TelegramUnauthorizedError, TelegramNotFound)):
            return delivery_error(401, exc.message)
        if isinstance(exc, TelegramConflictError):
            return delivery_error(409, exc.message)
        if isinstance(exc, (TelegramServerError, TelegramNetworkError)):
            return delivery_error(None, exc.message)
        if isinstance(exc, TelegramAPIError):
            return delivery_error(400, exc.message)
        if isinstance(exc, (OSError, asyncio.TimeoutError)):
            return delivery_error(None, str(exc) or type(exc).__name__)
        return None


class AiogramTransport(TelegramTransport):
    name = "aiogram"

    def __init__(self, app: App, *, poll_timeout: int = 30) -> None:
        super().__init__(app, poll_timeout=poll_timeout)
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.api_base_url))
        self.bot = Bot(self.token, session=session)
        self.dispatcher = Dispatcher()
        router = Router(name="helpline")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        self.dispatcher.include_router(router)
        self._sender = AiogramSender(self.bot)
        self._serial = SerialHandler(self.app.handle)
        self._polling: asyncio.Task[None] | None = None

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    async def _open(self) -> BotIdentity:
        me = await self.bot.get_me()
        self._serial.start()
        return BotIdentity(me.id, me.username or "")

    async def _close(self) -> None:
        await self.bot.session.close()

    async def _start_polling(self, allowed_updates: list[str]) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)  # polling fails while one is set
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot, polling_timeout=self.poll_timeout, handle_as_tasks=False,
                allowed_updates=allowed_updates, handle_signals=False, close_bot_session=False,
            ),
            name="aiogram-polling",
        )

    async def _stop_polling(self) -> None:
        if self._polling is not None:
            try:
                await self.dispatcher.stop_polling()
            except RuntimeError:  # it had not begun yet
                self._polling.cancel()
            try:
                await self._polling
            except asyncio.CancelledError:
                pass
            self._polling = None

    async def _finish_updates(self) -> None:
        await self._serial.stop()

    async def join(self) -> None:
        await self._serial.join()

    async def _set_webhook(self, url: str, secret: str, allowed_updates: list[str]) -> None:
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False
        )

    async def feed(self, update: dict[str, Any]) -> None:
        await self.dispatcher.feed_raw_update(self.bot, update)

    async def _set_commands(
        self, commands: list[tuple[str, str]], chat_id: int | None, language: str | None
    ) -> None:
        scope = (
            BotCommandScopeChat(chat_id=chat_id) if chat_id is not None else BotCommandScopeDefault()
        )
        await self.bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in commands],
            scope=scope, language_code=language,
        )

    async def _on_message(self, message: Message, event_update: Update) -> None:
        assert self.me is not None
        incoming = incoming_from_message(
            update_key(self.me.id, event_update.update_id), _json(message),
            bot_username=self.me.username,
        )
        if incoming is not None:
            self._serial.put(incoming)

    async def _on_callback(self, callback_query: CallbackQuery, event_update: Update) -> None:
        assert self.me is not None
        incoming = incoming_from_callback(
            update_key(self.me.id, event_update.update_id), _json(callback_query)
        )
        if incoming is not None:
            self._serial.put(incoming)
