"""The ticket state machine and who acts.

    open ──claim──> claimed ──onsite──> on_site ──resolve──> resolved ──是 / timeout──> closed
      │                └───────resolve────────────────────────^   │                    │
      └──onsite / resolve (the presser claims on the way)──────────┘ 否 ──> reopened    │
                                                                  follow-up 不满意 <───┘
    reopened behaves like open (claimable, reminded, escalated).

Each change is one conditional UPDATE (`... WHERE status IN (<allowed>)`) with its
`TicketEvent` in the same transaction: of two staff pressing at once exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.models import TicketStatus

OPEN = TicketStatus.OPEN
CLAIMED = TicketStatus.CLAIMED
ON_SITE = TicketStatus.ON_SITE
RESOLVED = TicketStatus.RESOLVED
CLOSED = TicketStatus.CLOSED
REOPENED = TicketStatus.REOPENED
CANCELLED = TicketStatus.CANCELLED

WAITING = (OPEN, REOPENED)  # nobody has it: claim reminders run
CLAIM_FROM = WAITING
ONSITE_FROM = (*WAITING, CLAIMED)
RESOLVE_FROM = (*WAITING, CLAIMED, ON_SITE)
FINISHED = (RESOLVED, CLOSED, CANCELLED)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a resident, a staff member, or the bot itself ("system")."""

    kind: str  # resident, staff, system
    id: str | None = None
    name: str | None = None


SYSTEM = Actor("system")
