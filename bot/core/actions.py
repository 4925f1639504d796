"""What the core asks a transport to do. Texts are Telegram HTML: the core escapes user text.

A message the core will want to find again (to edit it, or to map a staff reply back to its
ticket) carries a `ref`, a logical name such as "ticket:12:alert". `reply_to` and `target`
accept a Telegram message id or such a ref; the outbox resolves refs when it sends.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str  # callback data, at most 64 bytes
    web_app: str | None = None  # an https:// Telegram Mini App address: opens it (no callback)


Keyboard = tuple[tuple[Button, ...], ...]


def keyboard(*rows: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> Keyboard:
    """keyboard([("是", "yes"), ("否", "no")]) -> one row of two buttons."""
    return tuple(tuple(Button(text, data) for text, data in row) for row in rows)


MessageTarget = int | str  # a Telegram message id, or a ref


@dataclass(frozen=True, slots=True)
class SendText:
    chat_id: str
    text: str
    buttons: Keyboard | None = None
    ref: str | None = None
    reply_to: MessageTarget | None = None
    urgent: bool = False  # the life-saving line: the outbox's urgent lane, ahead of the rest


@dataclass(frozen=True, slots=True)
class EditText:
    chat_id: str
    target: MessageTarget
    text: str
    buttons: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class AnswerButton:
    callback_id: str
    text: str | None = None
    alert: bool = False
    chat_id: str = ""  # for logging and ordering only


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """A photo by Telegram file id (a resident's photo passed on), or as bytes (a chart)."""

    chat_id: str
    photo: str = ""  # a Telegram file id; empty when `content` is given
    caption: str | None = None
    buttons: Keyboard | None = None
    ref: str | None = None
    reply_to: MessageTarget | None = None
    content: bytes | None = field(default=None, repr=False)  # PNG/JPEG bytes
    filename: str = "photo.png"


@dataclass(frozen=True, slots=True)
class SendDocument:
    chat_id: str
    filename: str
    content: bytes = field(repr=False)
    caption: str | None = None
    ref: str | None = None
    reply_to: MessageTarget | None = None


Action = SendText | EditText | AnswerButton | SendPhoto | SendDocument

_KINDS: dict[str, type[Any]] = {
    "send_text": SendText,
    "edit_text": EditText,
    "answer_button": AnswerButton,
    "send_photo": SendPhoto,
    "send_document": SendDocument,
}
_KIND_OF = {cls: name for name, cls in _KINDS.items()}


def action_to_dict(action: Action) -> dict[str, Any]:
    """A JSON-safe dict (for the outbox table)."""
    data = asdict(action)
    if isinstance(action, (SendDocument, SendPhoto)) and action.content is not None:
        data["content"] = base64.b64encode(action.content).decode("ascii")
    if data.get("buttons") is not None:
        data["buttons"] = [
            [
                {"text": b["text"], "data": b["data"], **({"web_app": b["web_app"]} if b["web_app"] else {})}
                for b in row
            ]
            for row in data["buttons"]
        ]
    data["kind"] = _KIND_OF[type(action)]
    return data


def action_from_dict(data: dict[str, Any]) -> Action:
    data = dict(data)
    cls = _KINDS[data.pop("kind")]
    if cls in (SendDocument, SendPhoto) and data.get("content") is not None:
        data["content"] = base64.b64decode(data["content"])
    if data.get("buttons") is not None:
        data["buttons"] = tuple(
            tuple(Button(b["text"], b["data"], b.get("web_app")) for b in row) for row in data["buttons"]
        )
    action: Action = cls(**data)
    return action


def chat_of(action: Action) -> str:
    return action.chat_id
