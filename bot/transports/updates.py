"""Telegram updates, as Bot API JSON, into the core's `Incoming`.

Both library adapters hand the update to this module in its Bot API form (python-telegram-bot:
`Update.to_dict()`, aiogram: `model_dump(by_alias=True, mode="json")`), so the two libraries
produce exactly the same `Incoming` by construction.

The core's update id is `tg:<bot id>:<update id>:<chat>:<message>` for a message and
`tg:<bot id>:<update id>:<callback query id>` for a button press (`...:<message>:edited` for an
edit: every edit is an update of its own), whatever the library:
switching `BOT_FRAMEWORK` or a redelivered update never handles the same update twice, and
when Telegram restarts its update ids at random (after a week without updates) a new update
cannot be mistaken for an old one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.core.incoming import Attachment, AttachmentKind, ChatKind, Incoming

JSON = Mapping[str, Any]

# What the bot asks Telegram for (polling `allowed_updates`, `setWebhook`).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")

_DECIMAL = re.compile(r"-?[0-9]{1,19}")
_INT64 = 2**63 - 1

_CHAT_KINDS = {"private": ChatKind.PRIVATE, "group": ChatKind.GROUP, "supergroup": ChatKind.GROUP}


def update_key(bot_id: int | str, update_id: int | str) -> str:
    """The update's own part of the core's update id (see the module's docstring)."""
    return f"tg:{bot_id}:{update_id}"


def incoming_from_update(
    update: JSON, *, bot_id: int | str, bot_username: str | None = None
) -> Incoming | None:
    """The `Incoming` for one update, or None when the core has nothing to do with it
    (channel posts, inline queries, commands addressed to another bot). An edited message
    arrives with `edited=True`."""
    key = update_key(bot_id, update.get("update_id", ""))
    if isinstance(update.get("message"), Mapping):
        return incoming_from_message(key, update["message"], bot_username=bot_username)
    if isinstance(update.get("edited_message"), Mapping):
        return incoming_from_message(
            key, update["edited_message"], bot_username=bot_username, edited=True
        )
    if isinstance(update.get("callback_query"), Mapping):
        return incoming_from_callback(key, update["callback_query"])
    return None


def incoming_from_message(
    key: str, message: JSON, *, bot_username: str | None = None, edited: bool = False
) -> Incoming | None:
    sender = _sender(key, message.get("chat"), message.get("from"))
    if sender is None:
        return None
    text = message.get("text")
    if text is None:
        text = message.get("caption")
    if text is not None and _addressed_elsewhere(text, bot_username):
        return None
    reply = message.get("reply_to_message")
    message_id = _int_or_none(message.get("message_id"))
    sender["update_id"] = f"{key}:{sender['chat_id']}:{message_id}" + (":edited" if edited else "")
    return Incoming(
        **sender,
        text=text,
        attachment=attachment_of(message),
        message_id=message_id,
        reply_to_message_id=_int_or_none(reply.get("message_id")) if isinstance(reply, Mapping) else None,
        time=_time(message.get("date")),
        edited=edited,
        forwarded=is_forwarded(message),
    )


def is_forwarded(message: JSON) -> bool:
    """Forwarded from someone or somewhere else (Bot API 7: `forward_origin`; before it:
    `forward_date`, `forward_from`, ...)."""
    return any(
        message.get(field) is not None
        for field in ("forward_origin", "forward_date", "forward_from", "forward_from_chat",
                      "forward_sender_name")
    )


def incoming_from_callback(key: str, query: JSON) -> Incoming | None:
    """A pressed inline button. Buttons on inline-mode messages (no chat) are not ours."""
    message = query.get("message")
    if not isinstance(message, Mapping):
        return None
    sender = _sender(key, message.get("chat"), query.get("from"))
    if sender is None:
        return None
    sender["update_id"] = f"{key}:{query['id']}"
    return Incoming(
        **sender,
        button_data=str(query.get("data") or ""),
        callback_id=str(query["id"]),
        message_id=_int_or_none(message.get("message_id")),
    )


def _sender(key: str, chat: object, user: object) -> dict[str, Any] | None:
    """Who wrote or pressed, and where: the fields every `Incoming` has (None: not a
    private chat or group, or no sender)."""
    if not isinstance(chat, Mapping) or not isinstance(user, Mapping):
        return None
    kind = _CHAT_KINDS.get(str(chat.get("type")))
    if kind is None or "id" not in chat or "id" not in user:
        return None
    return {
        "update_id": key,
        "chat_id": str(chat["id"]),
        "user_id": str(user["id"]),
        "chat_kind": kind,
        "user_name": display_name(user),
        "language_code": user.get("language_code"),
    }


def attachment_of(message: JSON) -> Attachment | None:
    """What a message carries besides text; the largest size of a photo."""
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        largest = max(photo, key=lambda size: (size.get("width", 0) * size.get("height", 0)))
        return Attachment(AttachmentKind.PHOTO, file_id=largest.get("file_id"))
    location = message.get("location")
    if isinstance(location, Mapping):
        return Attachment(
            AttachmentKind.LOCATION,
            latitude=_float_or_none(location.get("latitude")),
            longitude=_float_or_none(location.get("longitude")),
        )
    contact = message.get("contact")
    if isinstance(contact, Mapping):
        return Attachment(AttachmentKind.CONTACT, phone=contact.get("phone_number"))
    for field, kind in _FILE_KINDS:
        item = message.get(field)
        if isinstance(item, Mapping):
            return Attachment(
                kind,
                file_id=item.get("file_id"),
                file_name=item.get("file_name"),
                mime_type=item.get("mime_type"),
            )
    if any(message.get(field) is not None for field in _OTHER_CONTENT):
        return Attachment(AttachmentKind.OTHER)
    return None


# Order matters: an animation also carries a `document`.
_FILE_KINDS = (
    ("voice", AttachmentKind.VOICE),
    ("audio", AttachmentKind.AUDIO),
    ("video", AttachmentKind.VIDEO),
    ("video_note", AttachmentKind.VIDEO),
    ("sticker", AttachmentKind.STICKER),
    ("animation", AttachmentKind.OTHER),
    ("document", AttachmentKind.DOCUMENT),
)
_OTHER_CONTENT = ("poll", "dice", "game", "story")


def display_name(user: JSON) -> str:
    name = " ".join(str(p) for p in (user.get("first_name"), user.get("last_name")) if p)
    return name or str(user.get("username") or "")


def _addressed_elsewhere(text: str, bot_username: str | None) -> bool:
    """`/help@OtherBot` in a group is for another bot."""
    if not text.startswith("/") or not bot_username:
        return False
    head = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    if "@" not in head:
        return False
    return head.split("@", 1)[1].lower() != bot_username.lower()


def _time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)


def _int_or_none(value: object) -> int | None:
    """An ASCII-decimal integer in the signed 64-bit range (`"²".isdigit()` is True and
    `int("²")` raises), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if -_INT64 <= number <= _INT64 else None


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
