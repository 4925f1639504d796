"""Conversation state in the `conversations` table: one row per resident chat.

The row holds the active flow, its step, the slots answered so far and the step's deadline,
so a restart continues where it stopped. With no active flow the row may still hold
things kept for the next flow (a photo sent before any words, a shared contact).

In memory, `State.slots` holds what the resident said (answers, carried details, locale)
and `State.marks` the engine's own bookkeeping (`Marks`: the question's prompt and buttons
as shown, tries, declined offers, ...). In the row both share the `slots` JSON column as
before, the marks under their `_`-prefixed keys, so rows written by earlier versions load
and rows written now load in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from bot.storage.models import Conversation

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.storage.db import Database


@dataclass(slots=True)
class Marks:
    """The flow engine's bookkeeping for the current question (not the resident's answers)."""

    prompt: str | None = None  # the question's text as last shown (`_prompt`)
    buttons: dict[str, Any] | None = None  # its buttons as shown: step, values (`_buttons`)
    tries: dict[str, int] = field(default_factory=dict)  # unusable answers, by step (`_tries`)
    pointer: str | None = None  # "here"/"there" said before the place (`_pointer`)
    room: str | None = None  # a room said before the building (`_room`)
    declined: list[str] = field(default_factory=list)  # steps whose offer was declined

    KEYS = ("prompt", "buttons", "tries", "pointer", "room", "declined")

    @classmethod
    def split(cls, stored: dict[str, Any]) -> tuple[Marks, dict[str, Any]]:
        """(marks, answers) of a stored `slots` JSON (marks under `_<name>` keys)."""
        answers = dict(stored)
        marks = cls()
        for name in cls.KEYS:
            if f"_{name}" in answers:
                setattr(marks, name, answers.pop(f"_{name}"))
        return marks, answers

    def stored(self) -> dict[str, Any]:
        """The `_<name>` keys to store beside the answers (only what is set)."""
        return {f"_{name}": value for name in self.KEYS if (value := getattr(self, name))}


@dataclass(slots=True)
class State:
    chat_id: str
    user_id: str
    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    ticket_id: int | None = None
    started_at: datetime | None = None
    deadline_at: datetime | None = None
    marks: Marks = field(default_factory=Marks)

    @property
    def active(self) -> bool:
        return self.flow is not None

    def reset(self, keep: dict[str, Any] | None = None) -> None:
        """No flow any more; `keep` (and the resident's language, and that they cannot be
        called) stays for the next one."""
        lasting = {k: self.slots[k] for k in LASTING if self.slots.get(k)}
        self.flow = self.step = None
        self.slots = {**lasting, **(keep or {})}
        self.marks = Marks()
        self.started_at = self.deadline_at = None


LASTING = ("locale", "no_calls")
"""Slots that outlive a flow: the resident's language; "别打电话" / "我是聋人" (write only)."""


class ConversationStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def load(self, chat_id: str, user_id: str) -> State:
        async with self.db.session() as session:
            row = await session.scalar(select(Conversation).where(Conversation.chat_id == chat_id))
        if row is None:
            return State(chat_id=chat_id, user_id=user_id)
        marks, answers = Marks.split(row.slots or {})
        return State(
            chat_id=row.chat_id,
            user_id=row.user_id,
            flow=row.flow,
            step=row.step,
            slots=answers,
            marks=marks,
            ticket_id=row.ticket_id,
            started_at=row.started_at,
            deadline_at=row.deadline_at,
        )

    async def save(self, state: State) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(
                select(Conversation).where(Conversation.chat_id == state.chat_id)
            )
            if row is None:
                row = Conversation(chat_id=state.chat_id)
                session.add(row)
            row.user_id = state.user_id
            row.flow = state.flow
            row.step = state.step
            row.slots = {**state.slots, **state.marks.stored()}
            row.ticket_id = state.ticket_id
            row.started_at = state.started_at
            row.deadline_at = state.deadline_at
            row.updated_at = now

    async def delete(self, chat_id: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))

    async def due(self, now: datetime, limit: int = 200) -> list[tuple[str, str, datetime]]:
        """(chat id, user id, deadline) of the conversations whose step deadline has passed."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(Conversation.chat_id, Conversation.user_id, Conversation.deadline_at)
                .where(Conversation.deadline_at.is_not(None), Conversation.deadline_at <= now)
                .order_by(Conversation.deadline_at)
                .limit(limit)
            )
            return [(c, u, d) for c, u, d in rows.all() if d is not None]

    async def claim(self, chat_id: str, deadline: datetime) -> bool:
        """Take a passed deadline for handling, once (another worker may race for it)."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Conversation)
                .where(Conversation.chat_id == chat_id, Conversation.deadline_at == deadline)
                .values(deadline_at=None)
            )
        return bool(getattr(result, "rowcount", 0))
