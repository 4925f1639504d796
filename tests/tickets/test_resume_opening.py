"""A ticket is committed before its staff alert and claim reminder are written: a process
killed in between leaves a ticket nobody is told about and nothing reminds. At the next
start (and when a process takes the lead) such tickets get their alert, unless one was
stored, and their reminder (TicketService.resume_opening)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.tickets import jobs
from bot.tickets.draft import TicketDraft
from tests.support.harness import Harness, make_harness


class Killed(Exception):
    """Stands for the process dying at that point."""


def _draft(chat: str) -> TicketDraft:
    return TicketDraft(
        chat_id=chat, user_id=chat, intent="gas_leak", severity="emergency",
        description="厨房有煤气味", building="3", room="1202", phone="13812345678",
    )  # fmt: skip


async def _killed_after(h: Harness, step: str, chat: str) -> int:
    """Open a ticket; the process "dies" at `step` (the alert, or the reminder)."""
    tickets = h.app.tickets
    target = tickets.alerts if step == "alert" else tickets.reminders
    name = "post" if step == "alert" else "start_claim_clock"
    original = getattr(target, name)

    async def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    setattr(target, name, die)
    try:
        with pytest.raises(Killed):
            await tickets.open_ticket(_draft(chat))
    finally:
        setattr(target, name, original)
    await h.app.outbox.drain()
    [ticket] = [t for t in await tickets.active_tickets() if t.chat_id == chat]
    return ticket.id


def _alerts(h: Harness, ticket_id: int) -> list[str]:
    return [m.plain for m in h.chat(h.staff_chat) if f"#{ticket_id}" in m.plain and "3栋" in m.plain]


async def _job_ids(h: Harness) -> set[str]:
    return {j.job_id for j in await h.app.scheduler.jobs()}


async def test_a_ticket_cut_short_before_its_alert_gets_it_and_its_reminder_at_the_next_start(
    database_url: str, classifier: Any
) -> None:
    h = await make_harness(database_url, classifier=classifier)
    try:
        ticket_id = await _killed_after(h, "alert", "2001")
        assert _alerts(h, ticket_id) == []
        assert jobs.job_id(jobs.CLAIM_REMINDER, ticket_id) not in await _job_ids(h)
    finally:
        await h.close()

    again = await make_harness(database_url, classifier=classifier)  # the restart
    try:
        await again.app.outbox.drain()
        assert len(_alerts(again, ticket_id)) == 1
        assert jobs.job_id(jobs.CLAIM_REMINDER, ticket_id) in await _job_ids(again)
        # a second pass (another start, a new leader) finds nothing left to do
        await again.app.resume_opening()
        await again.app.outbox.drain()
        assert len(_alerts(again, ticket_id)) == 1
    finally:
        await again.close()


async def test_an_alert_already_stored_is_not_posted_again_only_the_reminder_is_planted(
    harness: Harness,
) -> None:
    h = harness
    ticket_id = await _killed_after(h, "reminder", "2002")
    assert len(_alerts(h, ticket_id)) == 1
    await h.app.resume_opening()
    await h.app.outbox.drain()
    assert len(_alerts(h, ticket_id)) == 1
    assert jobs.job_id(jobs.CLAIM_REMINDER, ticket_id) in await _job_ids(h)


async def test_tickets_opened_whole_are_left_alone(harness: Harness) -> None:
    h = harness
    ticket = await h.app.tickets.open_ticket(_draft("2003"))
    await h.app.outbox.drain()
    reminder = await h.app.scheduler.job(jobs.job_id(jobs.CLAIM_REMINDER, ticket.id))
    assert reminder is not None
    h.clock.advance(seconds=30)
    await h.app.resume_opening()
    await h.app.outbox.drain()
    assert len(_alerts(h, ticket.id)) == 1
    after = await h.app.scheduler.job(jobs.job_id(jobs.CLAIM_REMINDER, ticket.id))
    assert after is not None and after.run_at == reminder.run_at  # not pushed back
