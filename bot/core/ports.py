"""Ports between the core and the outside.

- `Messenger`: how the core sends anything (replies, staff alerts, reminders, broadcasts).
  The application's messenger is the database-backed outbox, so nothing is lost on restart.
- `Sender`: what a transport implements to actually deliver one action; returns the sent
  message id (None for button answers), or raises a `bot.core.errors.DeliveryError`.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.actions import Action


class Messenger(Protocol):
    async def send(self, action: Action) -> None: ...


class Sender(Protocol):
    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None: ...
