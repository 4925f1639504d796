"""When a chat refuses the bot (403): tell the staff group if it matters.

The outbox has already stopped sending to the chat, and `profiles.mark_unreachable` has
recorded it. A resident with a ticket still being worked on must be phoned instead: the
staff group gets a note under the ticket's alert. A staff member, supervisor or manager
who never opened a private chat with the bot (or blocked it) misses reminders and
escalations: the staff group is told that too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.actions import SendText

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class BlockedReporter:
    """An `Outbox.on_blocked` hook."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, chat_id: str) -> None:
        app = self.app
        if app.is_staff_chat(chat_id):
            return
        staff_chat = app.settings.staff_chat_id
        if app.is_staff(chat_id):  # a private chat's id is the person's user id
            log.warning("staff member %s does not accept messages from the bot", chat_id)
            text = app.texts.get("delivery.staff_unreachable", None, user=chat_id)
            await app.outbox.send(SendText(staff_chat, text))
            return
        ticket = await app.tickets.active_ticket_for(chat_id)
        if ticket is None:
            return
        await app.tickets.add_event(ticket.id, "resident_unreachable", actor_kind="system")
        text = app.texts.get(
            "delivery.resident_unreachable", None, ticket=ticket.id, phone=ticket.phone or "-"
        )
        await app.outbox.send(SendText(staff_chat, text, reply_to=f"ticket:{ticket.id}:alert"))
