"""Delivery errors: transports translate their library's exceptions into these."""

from __future__ import annotations


class DeliveryError(Exception):
    """Sending failed."""


class RetryAfter(DeliveryError):
    """429: flood control; wait `seconds` and send again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = float(seconds)


class Blocked(DeliveryError):
    """403: the user blocked the bot or the chat is gone; do not retry."""


class NotModified(DeliveryError):
    """400 "message is not modified": the edit is a no-op; treat as done."""


class TemporaryError(DeliveryError):
    """Network error or 5xx: retry with backoff."""


class PermanentError(DeliveryError):
    """Any other 4xx: retrying will not help."""


class ChatMigrated(PermanentError):
    """400 with `migrate_to_chat_id`: the group became a supergroup with a new id; send
    there instead."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = str(new_chat_id)
