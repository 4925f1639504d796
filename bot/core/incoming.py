"""`Incoming`: one update from any transport, in the core's own terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


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
