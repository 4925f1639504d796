"""Drive the real app (core, storage, outbox) from tests, with a fake clock and a recording
sender: `say` a message, `press` a button, `tick` time forward, read what each chat shows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.incoming import Attachment, ChatKind, Incoming
from tests.support.recording_sender import RecordingSender, Shown

_update_ids = itertools.count(1)


@dataclass
class Harness:
    app: App
    clock: FakeClock
    sender: RecordingSender = field(default_factory=RecordingSender)

    @property
    def staff_chat(self) -> str:
        return self.app.settings.staff_chat_id

    async def _feed(self, incoming: Incoming) -> list[Shown]:
        before = set(self.sender.shown)
        edits_before = {k: v.edits for k, v in self.sender.shown.items()}
        await self.app.handle(incoming)
        await self.app.outbox.drain()
        if await self.app.notices.drain():  # a broadcast started: send it, then its progress
            await self.app.outbox.drain()
        new = [v for k, v in sorted(self.sender.shown.items(), key=lambda kv: kv[0][1]) if k not in before]
        edited = [v for k, v in self.sender.shown.items() if k in before and v.edits != edits_before[k]]
        return new + edited

    async def say(
        self,
        chat: str,
        text: str | None = None,
        *,
        user: str | None = None,
        name: str = "",
        group: bool | None = None,
        reply_to: int | None = None,
        attachment: Attachment | None = None,
        language_code: str | None = "zh-hans",
        update_id: str | None = None,
    ) -> list[Shown]:
        """A message from `user` (default: same as chat) in `chat`; returns what was shown."""
        is_group = group if group is not None else self.app.roles.is_staff_chat(chat)
        uid = update_id or f"u{next(_update_ids)}"
        self.sender.next_id += 1
        return await self._feed(
            Incoming(
                update_id=uid,
                chat_id=chat,
                user_id=user or chat,
                chat_kind=ChatKind.GROUP if is_group else ChatKind.PRIVATE,
                user_name=name or f"user{user or chat}",
                language_code=language_code,
                text=text,
                attachment=attachment,
                message_id=self.sender.next_id,
                reply_to_message_id=reply_to,
                time=self.clock.now(),
            )
        )

    async def press(
        self, chat: str, data: str, *, user: str | None = None, message_id: int | None = None,
        name: str = "", language_code: str | None = "zh-hans",
    ) -> list[Shown]:
        """Press the inline button with callback `data` (on the newest message carrying it)."""
        if message_id is None:
            carrying = [m for m in self.sender.messages(chat) if data in m.button_data]
            message_id = carrying[-1].message_id if carrying else None
        is_group = self.app.roles.is_staff_chat(chat)
        return await self._feed(
            Incoming(
                update_id=f"u{next(_update_ids)}",
                chat_id=chat,
                user_id=user or chat,
                chat_kind=ChatKind.GROUP if is_group else ChatKind.PRIVATE,
                user_name=name or f"user{user or chat}",
                language_code=language_code,
                button_data=data,
                callback_id=f"cb{next(_update_ids)}",
                message_id=message_id,
                time=self.clock.now(),
            )
        )

    async def tick(self, seconds: float) -> list[Shown]:
        """Move time forward; run due sweeps and jobs; deliver what they send."""
        before = set(self.sender.shown)
        self.clock.advance(seconds)
        await self.app.flows.sweep()
        await self.app.scheduler.run_due()
        await self.app.outbox.drain()
        if await self.app.notices.drain():
            await self.app.outbox.drain()
        return [v for k, v in sorted(self.sender.shown.items(), key=lambda kv: kv[0][1]) if k not in before]

    def chat(self, chat: str) -> list[Shown]:
        return self.sender.messages(chat)

    def last(self, chat: str) -> Shown:
        return self.sender.last(chat)

    async def close(self) -> None:
        await self.app.stop()


async def make_harness(
    database_url: str, *, classifier: Any = None, clock: FakeClock | None = None, **overrides: Any
) -> Harness:
    settings = Settings(_env_file=None, database_url=database_url, **overrides)  # type: ignore[call-arg]
    clock = clock or FakeClock()
    app = await create_app(settings, clock=clock, classifier=classifier)
    harness = Harness(app=app, clock=clock)
    app.outbox.sender = harness.sender
    await app.start(background=False)
    return harness
