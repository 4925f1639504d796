"""The aiogram 3 adapter: a `Bot` and its session; no `Dispatcher`.

Receiving is shared (`base.py`: getUpdates through `bot.get_updates`, each update dumped to
Bot API JSON, stored before the next offset confirms it). The session has no retry
middleware: the outbox sees every 429 and 5xx and decides.

Absolute imports only: this module is `bot.transports.aiogram`, the library is `aiogram`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot
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


def _json(obj: Message | CallbackQuery | Update) -> dict[str, Any]:
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
        self._sender = AiogramSender(self.bot)

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    async def _open(self) -> BotIdentity:
        me = await self.bot.get_me()
        return BotIdentity(me.id, me.username or "")

    async def _close(self) -> None:
        await self.bot.session.close()

    async def _get_updates(
        self, offset: int | None, wait: int, allowed_updates: list[str], limit: int
    ) -> list[dict[str, Any]]:
        updates = await self.bot.get_updates(
            offset=offset, limit=limit, timeout=wait, allowed_updates=allowed_updates,
            request_timeout=wait + int(self.bot.session.timeout),
        )
        return [_json(update) for update in updates]

    async def _delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def _set_webhook(self, url: str, secret: str, allowed_updates: list[str]) -> None:
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False
        )

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
