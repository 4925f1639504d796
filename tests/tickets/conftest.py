"""A help desk to drive: the whole app with a fake clock, two staff members, a supervisor,
a manager and residents; helpers to open tickets and read what each chat shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.storage.models import Ticket
from bot.tickets import TicketDraft
from tests.support.harness import Harness, make_harness
from tests.support.recording_sender import Shown

STAFF_A, STAFF_B = "501", "502"  # two staff members in the group
SUPERVISOR, MANAGER = "801", "901"
RESIDENT, OTHER_RESIDENT = "1001", "1002"


@dataclass
class Desk:
    h: Harness

    @property
    def app(self) -> Any:
        return self.h.app

    @property
    def group(self) -> str:
        return self.h.staff_chat

    async def open(
        self, intent: str = "gas_leak", severity: str = "emergency", **kw: Any
    ) -> Ticket:
        draft = TicketDraft(
            chat_id=kw.pop("chat_id", RESIDENT),
            user_id=kw.pop("user_id", RESIDENT),
            user_name=kw.pop("user_name", "王女士"),
            intent=intent,
            severity=severity,
            description=kw.pop("description", "厨房有煤气味"),
            building=kw.pop("building", "3"),
            room=kw.pop("room", "1202"),
            phone=kw.pop("phone", "13812345678"),
            **kw,
        )
        ticket = await self.app.tickets.open_ticket(draft)
        await self.app.outbox.drain()
        return ticket

    async def staff(self, data: str, who: str = STAFF_A, name: str = "张师傅") -> list[Shown]:
        """A staff member presses a button in the group."""
        return await self.h.press(self.group, data, user=who, name=name)

    def sent_with_ref(self, ref: str) -> list[Shown]:
        """Messages sent with this ref, as their chats show them now (edits applied)."""
        sender = self.h.sender
        return [
            sender.shown[(action.chat_id, mid)]
            for action, mid in sender.log
            if mid is not None
            and getattr(action, "ref", None) == ref
            and (action.chat_id, mid) in sender.shown
        ]

    def alert(self, ticket_id: int) -> Shown:
        found = self.sent_with_ref(f"ticket:{ticket_id}:alert")
        assert len(found) == 1, f"expected one alert for #{ticket_id}, found {len(found)}"
        return found[0]

    def answers(self) -> list[str]:
        return [a.text or "" for a in self.h.sender.answers]

    def last_answer(self) -> str:
        return self.answers()[-1]

    async def ticket(self, ticket_id: int) -> Ticket:
        ticket = await self.app.tickets.get(ticket_id)
        assert ticket is not None
        return ticket

    async def event_kinds(self, ticket_id: int) -> list[str]:
        return [e.kind for e in await self.app.tickets.events(ticket_id)]


class UnusedClassifier:
    """Ticket tests never classify resident text (they inject residents' messages through
    `relay_from_resident`), so they do not depend on the classifier's state."""

    def classify(self, text: str) -> Any:
        raise AssertionError(f"the ticket tests should not classify {text!r}")


@pytest.fixture(scope="session")
def classifier() -> Any:
    return UnusedClassifier()


SETTINGS: dict[str, Any] = {
    "supervisor_ids": [SUPERVISOR],
    "manager_ids": [MANAGER],
    "staff_ids": ["601"],  # a staff account that may act from a private chat
}


@asynccontextmanager
async def opened_desk(url: str, classifier: Any, **overrides: Any) -> AsyncIterator[Desk]:
    harness = await make_harness(url, classifier=classifier, **{**SETTINGS, **overrides})
    try:
        yield Desk(harness)
    finally:
        await harness.close()


@pytest.fixture
async def desk(sqlite_url: str, classifier: Any) -> AsyncIterator[Desk]:
    async with opened_desk(sqlite_url, classifier) as d:
        yield d


@pytest.fixture
async def any_db_desk(database_url: str, classifier: Any) -> AsyncIterator[Desk]:
    """The same desk on SQLite and on PostgreSQL."""
    async with opened_desk(database_url, classifier) as d:
        yield d


@pytest.fixture
async def make_desk(sqlite_url: str, classifier: Any) -> AsyncIterator[Any]:
    """A desk with other settings: `await make_desk(supervisor_ids=[])`."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Desk:
            return await stack.enter_async_context(opened_desk(sqlite_url, classifier, **overrides))

        yield make
