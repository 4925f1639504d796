"""A `Sender` that keeps what it was asked to deliver, like a chat app's screen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.actions import (
    Action,
    AnswerButton,
    EditText,
    Keyboard,
    SendDocument,
    SendPhoto,
    SendText,
)
from bot.core.errors import DeliveryError

_TAG = re.compile(r"<[^>]+>")


def plain(html_text: str) -> str:
    import html

    return html.unescape(_TAG.sub("", html_text))


@dataclass
class Shown:
    """One message as the chat shows it now (edits applied)."""

    chat_id: str
    message_id: int
    text: str  # HTML as sent
    buttons: Keyboard | None = None
    reply_to: int | None = None
    kind: str = "text"
    edits: int = 0

    @property
    def plain(self) -> str:
        return plain(self.text)

    @property
    def button_data(self) -> list[str]:
        return [b.data for row in (self.buttons or ()) for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in (self.buttons or ()) for b in row]


@dataclass
class RecordingSender:
    next_id: int = 1000
    shown: dict[tuple[str, int], Shown] = field(default_factory=dict)
    log: list[tuple[Action, int | None]] = field(default_factory=list)
    answers: list[AnswerButton] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    # failures for one chat only, raised in order by its next deliveries (e.g. a broadcast)
    fail_for: dict[str, list[DeliveryError]] = field(default_factory=dict)

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        if self.fail_for.get(action.chat_id):
            raise self.fail_for[action.chat_id].pop(0)
        if isinstance(action, AnswerButton):
            self.answers.append(action)
            self.log.append((action, None))
            return None
        if isinstance(action, EditText):
            assert target_message_id is not None
            msg = self.shown[(action.chat_id, target_message_id)]
            msg.text, msg.buttons, msg.edits = action.text, action.buttons, msg.edits + 1
            self.log.append((action, target_message_id))
            return target_message_id
        self.next_id += 1
        mid = self.next_id
        if isinstance(action, SendText):
            shown = Shown(action.chat_id, mid, action.text, action.buttons, reply_to_message_id)
        elif isinstance(action, SendPhoto):
            shown = Shown(action.chat_id, mid, action.caption or "", action.buttons, reply_to_message_id, "photo")
        elif isinstance(action, SendDocument):
            shown = Shown(action.chat_id, mid, action.caption or "", None, reply_to_message_id, "document")
        else:  # pragma: no cover
            raise TypeError(action)
        self.shown[(action.chat_id, mid)] = shown
        self.log.append((action, mid))
        return mid

    def messages(self, chat_id: str) -> list[Shown]:
        return [m for (c, _), m in sorted(self.shown.items(), key=lambda kv: kv[0][1]) if c == chat_id]

    def last(self, chat_id: str) -> Shown:
        msgs = self.messages(chat_id)
        assert msgs, f"nothing was sent to chat {chat_id}"
        return msgs[-1]
