"""Tickets and their event timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base


class TicketStatus:
    OPEN = "open"
    CLAIMED = "claimed"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REOPENED = "reopened"  # the resident said it is not fixed: waiting to be claimed again

    ACTIVE = ("open", "claimed", "on_site", "reopened")


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)  # the ticket number people see
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    chat_id: Mapped[str] = mapped_column(String(64), index=True)  # the resident's chat
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(200), default="")
    estate_id: Mapped[int | None] = mapped_column(Integer, index=True)  # None: not known
    intent: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    building: Mapped[str | None] = mapped_column(String(32))
    room: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")  # the resident's own words
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_by_name: Mapped[str | None] = mapped_column(String(200))
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    fixed: Mapped[bool | None]
    followup_answer: Mapped[str | None] = mapped_column(Text)
    report_due_at: Mapped[datetime | None]
    team: Mapped[str | None] = mapped_column(String(32), index=True)  # teams file key
    due_at: Mapped[datetime | None]  # the handling deadline (working time for non-emergencies)
    close_reason: Mapped[str | None] = mapped_column(String(32))  # resolved, false_alarm, ...
    merged_into: Mapped[int | None] = mapped_column(Integer)  # a duplicate of this ticket
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    on_site_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class TicketEvent(Base):
    """One line of a ticket's timeline: a state change, a message or an action."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))  # created, alerted, claimed, message_in, ...
    actor_kind: Mapped[str] = mapped_column(String(16))  # resident, staff, bot, system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
