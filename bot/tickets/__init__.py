"""Tickets: opening, the staff alert, claiming, relay, reminders, follow-up."""

from bot.tickets.draft import TicketDraft

__all__ = ["TicketDraft"]
