"""Ticket button data: `tk:<action>:<ticket id>[:<value>]` (Telegram allows 64 bytes).

Staff press claim / onsite / resolve / reported / unclaim / note / close (the reasons
menu; with a value: false_alarm, unreachable, cancelled); the resident presses fixed (yes, no),
rate (1-5), fu (the follow-up visit: good, ok, bad) and quote (a paid repair: yes, no).
Anything else does not parse.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.ids import strict_id

PREFIX = "tk"

CLAIM = "claim"
ONSITE = "onsite"
RESOLVE = "resolve"
REPORTED = "reported"
FIXED = "fixed"
RATE = "rate"
FOLLOWUP = "fu"
UNCLAIM = "unclaim"
CLOSE = "close"
QUOTE = "quote"
NOTE = "note"

STAFF_ACTIONS = frozenset({CLAIM, ONSITE, RESOLVE, REPORTED, UNCLAIM, CLOSE, NOTE})
STAFF_VALUES: dict[str, frozenset[str]] = {
    CLOSE: frozenset({"false_alarm", "unreachable", "cancelled"}),
}
RESIDENT_VALUES: dict[str, frozenset[str]] = {
    QUOTE: frozenset({"yes", "no"}),
    FIXED: frozenset({"yes", "no"}),
    RATE: frozenset({"1", "2", "3", "4", "5"}),
    FOLLOWUP: frozenset({"good", "ok", "bad"}),
}


@dataclass(frozen=True, slots=True)
class TicketButton:
    action: str
    ticket_id: int
    value: str | None = None

    @property
    def for_staff(self) -> bool:
        return self.action in STAFF_ACTIONS

    @property
    def data(self) -> str:
        tail = f":{self.value}" if self.value is not None else ""
        return f"{PREFIX}:{self.action}:{self.ticket_id}{tail}"


def button_data(action: str, ticket_id: int, value: str | None = None) -> str:
    return TicketButton(action, ticket_id, value).data


def parse_button(data: str | None) -> TicketButton | None:
    """`tk:claim:12` -> TicketButton("claim", 12); None for anything malformed."""
    if not data:
        return None
    parts = data.split(":")
    ticket_id = strict_id(parts[2]) if len(parts) in (3, 4) else None
    if parts[0] != PREFIX or ticket_id is None:
        return None
    action = parts[1]
    value = parts[3] if len(parts) == 4 else None
    if action in STAFF_ACTIONS:
        if value is None or value in STAFF_VALUES.get(action, ()):
            return TicketButton(action, ticket_id, value)
        return None
    allowed = RESIDENT_VALUES.get(action)
    if allowed is None or value not in allowed:
        return None
    return TicketButton(action, ticket_id, value)


def is_ticket_button(data: str | None) -> bool:
    return bool(data) and str(data).startswith(PREFIX + ":")
