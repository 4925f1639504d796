"""When a chat refuses the bot (403): tell the staff group if it matters.

The outbox has already stopped sending to the chat, and `profiles.mark_unreachable` has
recorded it. A resident with a ticket still being worked on must be phoned instead: the
staff group gets a note under the ticket's alert. A staff member, supervisor or manager
who never opened a private chat with the bot (or blocked it) misses reminders and
escalations: the staff group is told that too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.actions import SendText

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import Messenger, TicketDesk
    from bot.core.roles import Roles
    from bot.texts import Texts

log = logging.getLogger(__name__)


STAFF_NOTE_EVERY = timedelta(hours=24)  # at most one note a day about the same staff member
EVENT = "resident_unreachable"


class BlockedReporter:
    """An `Outbox.on_blocked` hook. Says it once: once per ticket for a resident, once a day
    for a staff member (every later message to them would be refused again)."""

    def __init__(
        self,
        *,
        roles: Roles,
        clock: Clock,
        texts: Texts,
        outbox: Messenger,
        tickets: TicketDesk,
    ) -> None:
        self.roles = roles
        self.clock = clock
        self.t = texts.bind(None, "delivery")  # the staff group reads the default locale
        self.outbox = outbox
        self.tickets = tickets
        self._staff_noted: dict[str, datetime] = {}

    async def __call__(self, chat_id: str) -> None:
        if self.roles.is_staff_chat(chat_id):
            return
        staff_chat = self.roles.settings.staff_chat_id  # the company's group
        if self.roles.is_staff(chat_id):  # a private chat's id is the person's user id
            log.warning("staff member %s does not accept messages from the bot", chat_id)
            now = self.clock.now()
            noted = self._staff_noted.get(chat_id)
            if noted is not None and now - noted < STAFF_NOTE_EVERY:
                return
            self._staff_noted[chat_id] = now
            text = self.t("staff_unreachable", user=chat_id)
            await self.outbox.send(SendText(staff_chat, text))
            return
        ticket = await self.tickets.active_ticket_for(chat_id)
        if ticket is None:
            return
        if any(event.kind == EVENT for event in await self.tickets.events(ticket.id)):
            return
        await self.tickets.add_event(ticket.id, EVENT, actor_kind="system")
        text = self.t("resident_unreachable", ticket=ticket.id, phone=ticket.phone or "-")
        await self.outbox.send(
            SendText(self.tickets.main_chat(ticket), text, reply_to=f"ticket:{ticket.id}:alert")
        )
