"""Ports between the core and the outside.

- `Messenger`: how the core sends anything (replies, staff alerts, reminders, broadcasts).
  The application's messenger is the database-backed outbox, so nothing is lost on restart.
- `Sender`: what a transport implements to actually deliver one action; returns the sent
  message id (None for button answers), or raises a `bot.core.errors.DeliveryError`.
- Between services: `Scheduler`, `ProfileStore`, `TicketDesk`, `OutageDesk`,
  `ConversationStorage` + `Isolation` (below), each the narrowest shape its callers use;
  `bot/bootstrap.py` passes the real services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.actions import Action

if TYPE_CHECKING:  # data shapes only: the ports import no service
    from bot.flows.store import State
    from bot.profiles import Profile
    from bot.storage.models import Ticket, TicketEvent
    from bot.tickets.draft import TicketDraft
    from bot.tickets.states import Actor


class Messenger(Protocol):
    async def send(self, action: Action) -> None: ...


class Sender(Protocol):
    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None: ...


# -- ports between services (what one service needs of another; fakes in tests/unit) -------
#
# A service's constructor names the ports it uses; `bot/bootstrap.py` passes the real
# services. Each port is the narrowest shape its callers use, so a fake is a few lines.

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]


class Scheduler(Protocol):
    """Durable one-shot jobs: `schedule` replaces a job with the same id; handlers for each
    kind are registered by the bootstrap (`bot/bootstrap.py`, JOBS), not by services."""

    async def schedule(
        self, kind: str, run_at: datetime, payload: dict[str, Any], job_id: str
    ) -> None: ...

    async def cancel(self, job_id: str) -> None: ...


class ProfileStore(Protocol):
    """Residents' remembered details (`bot/profiles.py`)."""

    async def get(self, user_id: str) -> Profile | None: ...

    async def ensure(
        self, user_id: str, chat_id: str, name: str = "", locale: str = "zh"
    ) -> Profile: ...

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
    ) -> Profile: ...

    async def forget(self, user_id: str, chat_id: str | None = None) -> bool: ...

    async def set_estate(self, user_id: str, chat_id: str, estate_id: int) -> Profile: ...

    async def mark_unreachable(self, chat_id: str) -> None: ...


class ResidentData(Protocol):
    """A copy of what is stored about one resident (`bot/privacy.py`, /mydata)."""

    async def export(self, user_id: str, chat_id: str) -> dict[str, Any]: ...


class TicketDesk(Protocol):
    """What other services need of the tickets (`bot/tickets/service.py`)."""

    async def open_ticket(self, draft: TicketDraft) -> Ticket: ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def active_ticket_for(self, chat_id: str) -> Ticket | None: ...

    async def recent_place(
        self, chat_id: str, *, after: datetime | None = None
    ) -> dict[str, str]: ...

    async def events(self, ticket_id: int) -> Sequence[TicketEvent]: ...

    async def add_event(
        self,
        ticket_id: int,
        kind: str,
        *,
        actor_kind: str,
        actor_id: str | None = None,
        actor_name: str | None = None,
        text: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None: ...

    async def transition(
        self,
        ticket_id: int,
        *,
        allowed: Sequence[str],
        to: str,
        event: str,
        actor: Actor,
        values: dict[str, Any] | None = None,
        text: str | None = None,
        data: dict[str, Any] | None = None,
        where: Sequence[Any] = (),
    ) -> Ticket | None: ...

    async def set_values(self, ticket_id: int, *where: Any, **values: Any) -> bool: ...

    async def refresh_alert(self, ticket: Ticket) -> None: ...

    def main_chat(self, ticket: Ticket) -> str: ...


class OutageDesk(Protocol):
    """What a resident's conversation asks of the notices: is this an announced outage?
    (`bot/notices/service.py`, `answer_outage`)."""

    async def answer_outage(
        self,
        *,
        chat_id: str,
        user_id: str,
        user_name: str,
        intent: str,
        building: str | None,
        text: str,
        locale: str,
        estate_id: int | None = None,
    ) -> str | None: ...


class ConversationStorage(Protocol):
    """A resident's conversation state, by chat (like aiogram's `BaseStorage`, for our
    `State`: flow, step, answers and the engine's marks); `bot/flows/store.py` keeps it in
    the `conversations` table. `due`/`claim` find and take passed step deadlines, once."""

    async def load(self, chat_id: str, user_id: str) -> State: ...

    async def save(self, state: State) -> None: ...

    async def delete(self, chat_id: str) -> None: ...

    async def due(self, now: datetime, limit: int = 200) -> list[tuple[str, str, datetime]]: ...

    async def claim(self, chat_id: str, deadline: datetime) -> bool: ...


class Isolation(Protocol):
    """One holder at a time per key (like aiogram's `BaseEventIsolation.lock`): a message
    and the idle sweep never interleave in a conversation (`bot/flows/locks.py`)."""

    def __call__(self, key: str) -> AbstractAsyncContextManager[None]: ...
