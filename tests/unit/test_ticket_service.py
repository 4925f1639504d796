"""`TicketService` alone: its messenger and scheduler are fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.core.actions import EditText, SendText
from bot.core.clock import FakeClock
from bot.storage.db import Database
from bot.storage.models import TicketStatus
from bot.texts import Texts
from bot.tickets import jobs
from bot.tickets.alerts import alert_ref
from bot.tickets.draft import TicketDraft
from bot.tickets.service import TicketService
from bot.tickets.states import Actor
from tests.unit.conftest import STAFF_CHAT
from tests.unit.fakes import FakeMessenger, FakeScheduler

RESIDENT = "1001"


@pytest.fixture
def outbox() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def tickets(
    settings: Settings,
    clock: FakeClock,
    db: Database,
    texts: Texts,
    outbox: FakeMessenger,
    scheduler: FakeScheduler,
) -> TicketService:
    return TicketService(
        settings=settings, clock=clock, db=db, texts=texts, outbox=outbox, scheduler=scheduler
    )


def draft(severity: str = "normal") -> TicketDraft:
    return TicketDraft(
        chat_id=RESIDENT,
        user_id=RESIDENT,
        intent="water_leak",
        severity=severity,
        description="厨房漏水",
        building="3",
        room="1201",
        phone="13812345678",
    )


async def test_opening_alerts_the_staff_group_and_starts_the_claim_clock(
    tickets: TicketService,
    outbox: FakeMessenger,
    scheduler: FakeScheduler,
    clock: FakeClock,
    settings: Settings,
) -> None:
    ticket = await tickets.open_ticket(draft("urgent"))
    alerts = [a for a in outbox.sent if isinstance(a, SendText) and a.chat_id == STAFF_CHAT]
    assert len(alerts) == 1 and alerts[0].ref == alert_ref(ticket.id)
    assert f"#{ticket.id}" in alerts[0].text
    kind, run_at, payload = scheduler.jobs[jobs.job_id(jobs.CLAIM_REMINDER, ticket.id)]
    assert kind == jobs.CLAIM_REMINDER and payload == {"ticket_id": ticket.id}
    assert run_at == clock.now() + timedelta(seconds=settings.sla_claim_seconds_urgent)
    assert [e.kind for e in await tickets.events(ticket.id)] == ["created"]
    active = await tickets.active_ticket_for(RESIDENT)
    assert active is not None and active.id == ticket.id


async def test_claiming_tells_the_resident_and_redraws_the_alert(
    tickets: TicketService, outbox: FakeMessenger
) -> None:
    ticket = await tickets.open_ticket(draft())
    outbox.sent.clear()
    answer = await tickets.workflow.claim(ticket, Actor("staff", "601", "王师傅"))
    assert str(ticket.id) in answer
    claimed = await tickets.get(ticket.id)
    assert claimed is not None and claimed.status == TicketStatus.CLAIMED
    assert claimed.claimed_by == "601"
    assert outbox.texts_to(RESIDENT)  # the resident hears someone took it
    edits = [a for a in outbox.sent if isinstance(a, EditText) and a.chat_id == STAFF_CHAT]
    assert edits and edits[-1].target == alert_ref(ticket.id)


async def test_claiming_twice_is_refused_without_a_second_message(
    tickets: TicketService, outbox: FakeMessenger
) -> None:
    ticket = await tickets.open_ticket(draft())
    await tickets.workflow.claim(ticket, Actor("staff", "601", "王师傅"))
    sent = len(outbox.sent)
    again = await tickets.workflow.claim(ticket, Actor("staff", "602", "李师傅"))
    assert again  # an answer for the button, nothing sent to anyone
    assert len(outbox.sent) == sent
    claimed = await tickets.get(ticket.id)
    assert claimed is not None and claimed.claimed_by == "601"


async def test_an_emergency_claimed_starts_the_on_site_clock(
    tickets: TicketService, scheduler: FakeScheduler
) -> None:
    ticket = await tickets.open_ticket(draft("emergency"))
    await tickets.workflow.claim(ticket, Actor("staff", "601", "王师傅"))
    assert jobs.job_id(jobs.ONSITE_REMINDER, ticket.id) in scheduler.jobs
