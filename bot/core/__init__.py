"""The transport-agnostic contract: what comes in, what goes out, and the ports between."""

from bot.core.actions import (
    Action,
    AnswerButton,
    Button,
    EditText,
    Keyboard,
    SendDocument,
    SendPhoto,
    SendText,
    action_from_dict,
    action_to_dict,
    keyboard,
)
from bot.core.clock import Clock, FakeClock, SystemClock
from bot.core.errors import (
    Blocked,
    DeliveryError,
    NotModified,
    PermanentError,
    RetryAfter,
    TemporaryError,
)
from bot.core.incoming import Attachment, AttachmentKind, ChatKind, Incoming
from bot.core.ports import Messenger, Sender

__all__ = [
    "Action",
    "AnswerButton",
    "Attachment",
    "AttachmentKind",
    "Blocked",
    "Button",
    "ChatKind",
    "Clock",
    "DeliveryError",
    "EditText",
    "FakeClock",
    "Incoming",
    "Keyboard",
    "Messenger",
    "NotModified",
    "PermanentError",
    "RetryAfter",
    "SendDocument",
    "SendPhoto",
    "SendText",
    "Sender",
    "SystemClock",
    "TemporaryError",
    "action_from_dict",
    "action_to_dict",
    "keyboard",
]
