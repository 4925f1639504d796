"""Fakes of the ports in `bot/core/ports.py`: a few lines each, behind the port's docstring.

Like httpx's `MockTransport`: a service under test gets these instead of its real
collaborators, and the test reads what was asked of them.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from bot.core.actions import Action, EditText, SendText
from bot.flows.store import State
from bot.profiles import Profile
from bot.tickets.draft import TicketDraft


class FakeMessenger:
    """`Messenger`: keeps every action instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Action] = []

    async def send(self, action: Action) -> None:
        self.sent.append(action)

    def texts_to(self, chat_id: str) -> list[str]:
        return [
            a.text for a in self.sent if isinstance(a, SendText | EditText) and a.chat_id == chat_id
        ]


@dataclass
class FakeScheduler:
    """`Scheduler`: jobs by id, as (kind, run_at, payload); nothing ever runs by itself."""

    jobs: dict[str, tuple[str, datetime, dict[str, Any]]] = field(default_factory=dict)

    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], job_id: str
    ) -> None:
        self.jobs[job_id] = (kind, run_at, dict(payload))

    async def cancel(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)


class FakeProfiles:
    """`ProfileStore` in a dict; `unreachable` lists the chats that blocked the bot."""

    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}
        self.unreachable: list[str] = []
        self._ids = itertools.count(1)

    async def get(self, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)

    async def ensure(
        self, user_id: str, chat_id: str, name: str = "", locale: str = "zh"
    ) -> Profile:
        if user_id not in self.profiles:
            self.profiles[user_id] = Profile(
                next(self._ids), user_id, chat_id, name, locale, None, None, None, False
            )
        return self.profiles[user_id]

    async def remember(
        self,
        user_id: str,
        chat_id: str,
        *,
        name: str = "",
        locale: str = "zh",
        building: str | None = None,
        room: str | None = None,
        phone: str | None = None,
        replace: bool = True,
    ) -> Profile:
        old = await self.ensure(user_id, chat_id, name, locale)
        self.profiles[user_id] = Profile(
            old.id, user_id, chat_id, name or old.name, locale, building, room, phone, True
        )
        return self.profiles[user_id]

    async def forget(self, user_id: str, chat_id: str | None = None) -> bool:
        return self.profiles.pop(user_id, None) is not None

    async def set_estate(self, user_id: str, chat_id: str, estate_id: int) -> Profile:
        from dataclasses import replace

        old = await self.ensure(user_id, chat_id)
        self.profiles[user_id] = replace(old, estate_id=estate_id)
        return self.profiles[user_id]

    async def mark_unreachable(self, chat_id: str) -> None:
        self.unreachable.append(chat_id)


class FakeTicketDesk:
    """`TicketDesk`: opens numbered tickets in memory and records every call."""

    def __init__(self) -> None:
        self.opened: list[TicketDraft] = []
        self.added: list[tuple[int, str]] = []  # (ticket id, event kind)
        self.refreshed: list[int] = []

    async def open_ticket(self, draft: TicketDraft) -> Any:
        self.opened.append(draft)
        return SimpleNamespace(
            id=len(self.opened),
            **{
                k: getattr(draft, k)
                for k in ("chat_id", "user_id", "intent", "severity", "building")
            },
        )

    async def get(self, ticket_id: int) -> Any:
        return None

    async def active_ticket_for(self, chat_id: str) -> Any:
        return None

    async def recent_place(self, chat_id: str, *, after: Any = None) -> dict[str, str]:
        return {}

    async def events(self, ticket_id: int) -> list[Any]:
        return [SimpleNamespace(kind=kind) for tid, kind in self.added if tid == ticket_id]

    async def add_event(self, ticket_id: int, kind: str, **_: Any) -> None:
        self.added.append((ticket_id, kind))

    async def refresh_alert(self, ticket: Any) -> None:
        self.refreshed.append(ticket.id)

    def main_chat(self, ticket: Any) -> str:
        return self.staff_chat

    staff_chat = "staff"  # every ticket's group (one estate)


class FakeOutageDesk:
    """`OutageDesk`: no outage is ever announced."""

    async def answer_outage(self, **_: Any) -> str | None:
        return None


class FakeConversationStorage:
    """`ConversationStorage` in a dict (copies in, copies out, like a database row)."""

    def __init__(self) -> None:
        self.rows: dict[str, State] = {}

    async def load(self, chat_id: str, user_id: str) -> State:
        row = self.rows.get(chat_id)
        return copy.deepcopy(row) if row else State(chat_id=chat_id, user_id=user_id)

    async def save(self, state: State) -> None:
        self.rows[state.chat_id] = copy.deepcopy(state)

    async def delete(self, chat_id: str) -> None:
        self.rows.pop(chat_id, None)

    async def due(self, now: datetime, limit: int = 200) -> list[tuple[str, str, datetime]]:
        due = [
            (s.chat_id, s.user_id, s.deadline_at)
            for s in self.rows.values()
            if s.deadline_at is not None and s.deadline_at <= now
        ]
        return sorted(due, key=lambda row: row[2])[:limit]

    async def claim(self, chat_id: str, deadline: datetime) -> bool:
        row = self.rows.get(chat_id)
        if row is None or row.deadline_at != deadline:
            return False
        row.deadline_at = None
        return True
