"""The core's actions as Bot API calls, the same for every library.

`TelegramSender` implements the core `Sender` port once: HTML parse mode, texts too long for
one message cut into parts, captions too long for a photo sent after it, callback answers as
plain text, and every library failure translated into a `bot.core.errors` error by HTTP
status (`delivery_error`). A library adapter only implements the five primitive calls and
says which status and description its exception carries.
"""

from __future__ import annotations

import html
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.actions import (
    Action,
    AnswerButton,
    EditText,
    Keyboard,
    SendDocument,
    SendPhoto,
    SendText,
)
from bot.core.errors import (
    Blocked,
    ChatMigrated,
    DeliveryError,
    NotModified,
    PermanentError,
    RetryAfter,
    TemporaryError,
)
from bot.transports.html_split import CAPTION_LIMIT, size, split_html

if TYPE_CHECKING:
    from bot.transports.lines import LineSender

log = logging.getLogger(__name__)

ANSWER_LIMIT = 200  # characters Telegram shows in a button answer
_TAG = re.compile(r"<[^<>]*>")

ChatRef = int | str
_MediaCall = Callable[[str | None, Keyboard | None], Awaitable[int]]


def chat_ref(chat_id: str) -> ChatRef:
    """The core's string id as the Bot API wants it: an integer, or an @username."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def plain_text(text: str) -> str:
    """HTML to what a button answer (plain text) should show."""
    return html.unescape(_TAG.sub("", text))


def delivery_error(
    status: int | None,
    description: str,
    *,
    retry_after: float | None = None,
    migrate_to_chat_id: int | None = None,
) -> DeliveryError:
    """One Bot API failure (`status` None: no answer at all) as a core delivery error."""
    if retry_after is not None:
        return RetryAfter(max(float(retry_after), 0.0))
    if migrate_to_chat_id is not None:
        log.warning("the group became a supergroup; its new chat id is %s", migrate_to_chat_id)
        return ChatMigrated(str(migrate_to_chat_id))
    if status is None or status >= 500:
        return TemporaryError(description or "no answer from the Bot API")
    if status == 403:
        return Blocked(description)
    if status == 400 and "message is not modified" in description.lower():
        return NotModified(description)
    if status in (401, 404):
        # The token or the server URL is wrong: fix the set-up; keep the messages meanwhile.
        log.error("the Bot API refused the token (%s %s): check BOT_TOKEN and "
                  "TELEGRAM_API_BASE_URL", status, description)
        return TemporaryError(description)
    return PermanentError(description)


class TelegramSender(ABC):
    """A `Sender` over the Bot API; subclasses make the calls with their library."""

    # the life-saving lines past the library (bot/transports/lines.py), when attached
    lines: LineSender | None = None

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        try:
            return await self._deliver(action, reply_to_message_id, target_message_id)
        except DeliveryError:
            raise
        except Exception as exc:
            error = self.translate(exc)
            if error is None:
                raise
            raise error from exc

    async def _deliver(
        self, action: Action, reply_to: int | None, target: int | None
    ) -> int | None:
        if isinstance(action, SendText):
            if (
                action.urgent and self.lines is not None and not action.buttons
                and reply_to is None and len(split_html(action.text)) == 1
            ):
                return await self.lines.send(chat_ref(action.chat_id), action.text)
            return await self._send_text(action.chat_id, action.text, action.buttons, reply_to)
        if isinstance(action, EditText):
            if target is None:
                raise PermanentError(f"no message to edit: {action.target!r}")
            await self.edit_text(chat_ref(action.chat_id), target, action.text, action.buttons)
            return target
        if isinstance(action, AnswerButton):
            text = plain_text(action.text)[:ANSWER_LIMIT] if action.text else None
            await self.answer(action.callback_id, text, action.alert)
            return None
        if isinstance(action, SendPhoto):
            photo: str | bytes = action.content if action.content is not None else action.photo
            return await self._with_caption(
                action.chat_id, action.caption, action.buttons, reply_to,
                lambda caption, buttons: self.send_photo(
                    chat_ref(action.chat_id), photo, action.filename, caption, buttons, reply_to
                ),
            )
        if isinstance(action, SendDocument):
            return await self._with_caption(
                action.chat_id, action.caption, None, reply_to,
                lambda caption, _buttons: self.send_document(
                    chat_ref(action.chat_id), action.content, action.filename, caption, reply_to
                ),
            )
        raise PermanentError(f"unknown action {type(action).__name__}")  # pragma: no cover

    async def _send_text(
        self, chat_id: str, text: str, buttons: Keyboard | None, reply_to: int | None
    ) -> int:
        """One message, or several when too long: the first replies, the last has buttons."""
        parts = split_html(text)
        message_id = 0
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            message_id = await self.send_text(
                chat_ref(chat_id), part, buttons if last else None, reply_to if index == 0 else None
            )
        return message_id

    async def _with_caption(
        self,
        chat_id: str,
        caption: str | None,
        buttons: Keyboard | None,
        reply_to: int | None,
        send: _MediaCall,
    ) -> int:
        """A media message; a caption too long for it follows as text (with the buttons)."""
        if caption is None or size(caption) <= CAPTION_LIMIT:
            return await send(caption, buttons)
        await send(None, None)
        return await self._send_text(chat_id, caption, buttons, None)

    # -- what a library implements ----------------------------------------------------------
    @abstractmethod
    async def send_text(
        self, chat_id: ChatRef, text: str, buttons: Keyboard | None, reply_to: int | None
    ) -> int: ...

    @abstractmethod
    async def edit_text(
        self, chat_id: ChatRef, message_id: int, text: str, buttons: Keyboard | None
    ) -> None: ...

    @abstractmethod
    async def answer(self, callback_id: str, text: str | None, alert: bool) -> None: ...

    @abstractmethod
    async def send_photo(
        self,
        chat_id: ChatRef,
        photo: str | bytes,
        filename: str,
        caption: str | None,
        buttons: Keyboard | None,
        reply_to: int | None,
    ) -> int: ...

    @abstractmethod
    async def send_document(
        self,
        chat_id: ChatRef,
        content: bytes,
        filename: str,
        caption: str | None,
        reply_to: int | None,
    ) -> int: ...

    @abstractmethod
    def translate(self, exc: Exception) -> DeliveryError | None:
        """The library's exception as a core error (usually via `delivery_error`); None
        for an exception that is not about delivery (a bug: let it propagate)."""
