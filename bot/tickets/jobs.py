"""The scheduler job kinds of tickets and their ids (one job per ticket and purpose)."""

from __future__ import annotations

CLAIM_REMINDER = "ticket.claim_reminder"
ONSITE_REMINDER = "ticket.onsite_reminder"
AUTO_CLOSE = "ticket.auto_close"
FOLLOWUP = "ticket.followup"
REPORT_REMINDER = "ticket.report_reminder"
DUE = "ticket.due"  # the handling deadline passed
DIGEST = "desk.digest"  # the shift hand-over digest (one job, not per ticket)


def job_id(kind: str, ticket_id: int) -> str:
    """ "ticket.claim_reminder", 12 -> "ticket:12:claim_reminder"."""
    return f"ticket:{ticket_id}:{kind.removeprefix('ticket.')}"
