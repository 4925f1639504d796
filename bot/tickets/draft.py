"""`TicketDraft`: what a flow knows when it opens a ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class TicketDraft:
    chat_id: str  # the resident's private chat
    user_id: str
    intent: str
    severity: str  # emergency / urgent / normal
    description: str  # the resident's own words
    user_name: str = ""
    building: str | None = None
    room: str | None = None
    phone: str | None = None
    resident_id: int | None = None
    estate_id: int | None = None  # the resident's estate (None: not said yet)
    locale: str = "zh"
    photos: list[str] = field(default_factory=list)  # Telegram file ids
    # why it was opened without every answer, e.g. "idle" (the resident went silent)
    extra: dict[str, Any] = field(default_factory=dict)
