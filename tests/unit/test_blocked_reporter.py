"""`BlockedReporter` alone: roles from a plain settings value, tickets and messenger faked."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.roles import Roles
from bot.delivery.blocked import EVENT, BlockedReporter
from bot.texts import Texts
from tests.unit.conftest import STAFF_CHAT, SUPERVISOR
from tests.unit.fakes import FakeMessenger, FakeTicketDesk


class DeskWithOneTicket(FakeTicketDesk):
    def __init__(self, chat_id: str) -> None:
        super().__init__()
        self.ticket = SimpleNamespace(id=7, chat_id=chat_id, phone="13812345678")

    async def active_ticket_for(self, chat_id: str) -> Any:
        return self.ticket if chat_id == self.ticket.chat_id else None


def reporter(
    settings: Settings, clock: FakeClock, texts: Texts, desk: FakeTicketDesk
) -> tuple[BlockedReporter, FakeMessenger]:
    outbox = FakeMessenger()
    desk.staff_chat = settings.staff_chat_id
    blocked = BlockedReporter(
        roles=Roles(settings), clock=clock, texts=texts, outbox=outbox, tickets=desk
    )
    return blocked, outbox


async def test_a_resident_with_a_ticket_is_reported_once_under_its_alert(
    settings: Settings, clock: FakeClock, texts: Texts
) -> None:
    desk = DeskWithOneTicket("1001")
    blocked, outbox = reporter(settings, clock, texts, desk)
    await blocked("1001")
    await blocked("1001")
    notes = outbox.sent
    assert len(notes) == 1 and notes[0].chat_id == STAFF_CHAT  # type: ignore[attr-defined]
    assert notes[0].reply_to == "ticket:7:alert"  # type: ignore[attr-defined]
    assert desk.added == [(7, EVENT)]


async def test_a_resident_without_a_ticket_and_the_staff_group_are_not_reported(
    settings: Settings, clock: FakeClock, texts: Texts
) -> None:
    blocked, outbox = reporter(settings, clock, texts, DeskWithOneTicket("1001"))
    await blocked("2002")
    await blocked(STAFF_CHAT)
    assert outbox.sent == []


async def test_a_staff_member_is_reported_at_most_daily(
    settings: Settings, clock: FakeClock, texts: Texts
) -> None:
    blocked, outbox = reporter(settings, clock, texts, FakeTicketDesk())
    await blocked(SUPERVISOR)
    clock.advance(3600)
    await blocked(SUPERVISOR)
    assert len(outbox.texts_to(STAFF_CHAT)) == 1
    clock.advance(86400)
    await blocked(SUPERVISOR)
    assert len(outbox.texts_to(STAFF_CHAT)) == 2
