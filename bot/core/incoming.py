"""`Incoming`: one update from any transport, in the core's own terms.

Every `Incoming` is clean, whatever built it (a Telegram update, the console, a test): text,
captions, names and button data lose NUL and the other control characters (newline and tab
stay), unpaired surrogates and Unicode non-characters; a mainland identity card number in a
private chat is taken out before anything stores it. PostgreSQL refuses a NUL in text, and
none of them is anything a person meant to write. `to_dict` / `from_dict` keep an `Incoming`
as JSON (the intake table, the spool file of the degraded mode).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.core.privacy import mask_identity_numbers

# C0 controls but \t and \n, DEL and C1 controls, surrogates, the 66 non-characters.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean_text(value: str | None) -> str | None:
    """`value` without control characters (newline and tab stay), surrogates and
    non-characters; CR, CRLF, NEL and the Unicode line and paragraph separators become
    newlines."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return _UNWANTED.sub("", _LINE_BREAKS.sub("\n", value))


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    STICKER = "sticker"
    LOCATION = "location"
    DOCUMENT = "document"
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: AttachmentKind
    file_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None  # a shared contact's number


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message or a button press. Ids are strings in the core, whatever the transport."""

    update_id: str
    chat_id: str
    user_id: str
    chat_kind: ChatKind = ChatKind.PRIVATE
    user_name: str = ""
    language_code: str | None = None
    text: str | None = None  # message text, or a media caption
    attachment: Attachment | None = None
    button_data: str | None = None  # callback data of a pressed inline button
    callback_id: str | None = None  # to answer the button press
    message_id: int | None = None  # this message, or the message that carries the button
    reply_to_message_id: int | None = None
    time: datetime = field(default_factory=_now)
    edited: bool = False  # an edit of an earlier message (`message_id` is that message)
    forwarded: bool = False  # forwarded from elsewhere: not the resident's own words
    # the text key of the life-saving line the intake already queued for this message
    # ("safety.gas_leak.now"): the conversation does not send that line again
    line_sent: str | None = None
    # a resident's identity card number was taken out of `text` (never stored or relayed)
    masked: bool = False

    def __post_init__(self) -> None:
        for name in ("text", "user_name", "button_data"):
            value = getattr(self, name)
            if value is not None:
                cleaned = clean_text(value)
                if cleaned != value:
                    object.__setattr__(self, name, cleaned)
        if self.text and self.chat_kind is ChatKind.PRIVATE:
            text, masked = mask_identity_numbers(self.text)
            if masked:
                object.__setattr__(self, "text", text)
                object.__setattr__(self, "masked", True)

    # -- as JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chat_kind"] = self.chat_kind.value
        data["time"] = self.time.isoformat()
        if self.attachment is not None:
            data["attachment"]["kind"] = self.attachment.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incoming:
        values = dict(data)
        values["chat_kind"] = ChatKind(values.get("chat_kind", ChatKind.PRIVATE))
        raw_time = values.get("time")
        values["time"] = datetime.fromisoformat(raw_time) if isinstance(raw_time, str) else _now()
        attachment = values.get("attachment")
        if isinstance(attachment, dict):
            values["attachment"] = Attachment(**{**attachment, "kind": AttachmentKind(attachment["kind"])})
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    @property
    def is_private(self) -> bool:
        return self.chat_kind is ChatKind.PRIVATE

    @property
    def is_button(self) -> bool:
        return self.button_data is not None

    @property
    def command(self) -> str | None:
        """`/ticket 12` -> "ticket" (a `@botname` suffix is dropped), else None."""
        if not self.text or not self.text.startswith("/"):
            return None
        head = self.text[1:].split(maxsplit=1)[0] if len(self.text) > 1 else ""
        return head.split("@", 1)[0].lower() or None

    @property
    def command_args(self) -> str:
        if self.command is None or not self.text:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""
