"""Routing an `Incoming` to its audience: staff group, manager, resident.

Each handler answers `accepts(incoming)` and `handle(incoming)`; the first that accepts
handles. Groups other than the staff group are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.core.incoming import Incoming

if TYPE_CHECKING:
    from bot.core.roles import Roles


class Handler(Protocol):
    async def accepts(self, incoming: Incoming) -> bool: ...

    async def handle(self, incoming: Incoming) -> None: ...


class Router:
    """The handlers come from the bootstrap, in the order they are asked."""

    def __init__(self, roles: Roles, handlers: list[Handler]) -> None:
        self.roles = roles
        self.handlers = handlers

    async def route(self, incoming: Incoming) -> None:
        if not incoming.is_private and not self.roles.is_staff_chat(incoming.chat_id):
            if incoming.command != "whereami":
                return
        for handler in self.handlers:
            if await handler.accepts(incoming):
                await handler.handle(incoming)
                return
