"""Tickets: open one (with its timeline and the staff alert), find a resident's open one.

The handoff issue grows this: alert layout and buttons, claiming, relay, reminders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.core.actions import SendText, keyboard
from bot.core.incoming import Incoming
from bot.storage.models import Ticket, TicketEvent, TicketStatus
from bot.texts import escape
from bot.tickets.draft import TicketDraft

if TYPE_CHECKING:
    from bot.app import App


class TicketService:
    def __init__(self, app: App) -> None:
        self.app = app

    async def open_ticket(self, draft: TicketDraft) -> Ticket:
        """Create the ticket and its first event, and alert the staff group."""
        now = self.app.clock.now()
        async with self.app.db.transaction() as session:
            ticket = Ticket(
                chat_id=draft.chat_id,
                user_id=draft.user_id,
                user_name=draft.user_name,
                resident_id=draft.resident_id,
                intent=draft.intent,
                severity=draft.severity,
                building=draft.building,
                room=draft.room,
                phone=draft.phone,
                description=draft.description,
                status=TicketStatus.OPEN,
                extra={**draft.extra, "photos": list(draft.photos), "locale": draft.locale},
                created_at=now,
                updated_at=now,
            )
            session.add(ticket)
            await session.flush()
            session.add(
                TicketEvent(
                    ticket_id=ticket.id, at=now, kind="created", actor_kind="resident",
                    actor_id=draft.user_id, actor_name=draft.user_name, text=draft.description,
                    data={},
                )
            )
        await self.alert_staff(ticket)
        return ticket

    async def alert_staff(self, ticket: Ticket) -> None:
        place = " ".join(p for p in (ticket.building and f"{ticket.building}栋", ticket.room) if p)
        text = (
            f"<b>[{escape(ticket.severity)}] {escape(ticket.intent)}</b> #{ticket.id}\n"
            f"{escape(place or '-')} · {escape(ticket.phone or '-')}\n{escape(ticket.description)}"
        )
        buttons = keyboard(
            [("接单", f"tk:claim:{ticket.id}"), ("已到场", f"tk:onsite:{ticket.id}"),
             ("已解决", f"tk:resolve:{ticket.id}")]
        )
        await self.app.outbox.send(
            SendText(self.app.settings.staff_chat_id, text, buttons, ref=f"ticket:{ticket.id}:alert")
        )

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self.app.db.session() as session:
            return await session.get(Ticket, ticket_id)

    async def active_ticket_for(self, chat_id: str) -> Ticket | None:
        """The resident's newest ticket still being worked on (open, claimed, on site)."""
        async with self.app.db.session() as session:
            ticket: Ticket | None = await session.scalar(
                select(Ticket)
                .where(Ticket.chat_id == chat_id, Ticket.status.in_(TicketStatus.ACTIVE))
                .order_by(Ticket.id.desc())
                .limit(1)
            )
        return ticket

    async def add_event(
        self, ticket_id: int, kind: str, *, actor_kind: str, actor_id: str | None = None,
        actor_name: str | None = None, text: str | None = None, data: dict[str, Any] | None = None,
    ) -> None:
        async with self.app.db.transaction() as session:
            session.add(
                TicketEvent(
                    ticket_id=ticket_id, at=self.app.clock.now(), kind=kind, actor_kind=actor_kind,
                    actor_id=actor_id, actor_name=actor_name, text=text, data=data or {},
                )
            )

    async def relay_from_resident(self, ticket: Ticket, incoming: Incoming) -> None:
        """A resident's message about an open ticket: to the staff group, under its alert."""
        await self.add_event(
            ticket.id, "message_in", actor_kind="resident", actor_id=incoming.user_id,
            actor_name=incoming.user_name, text=incoming.text,
        )
        await self.app.outbox.send(
            SendText(
                self.app.settings.staff_chat_id,
                f"#{ticket.id} 住户: {escape(incoming.text or '')}",
                reply_to=f"ticket:{ticket.id}:alert",
                ref=f"ticket:{ticket.id}:relay",
            )
        )
