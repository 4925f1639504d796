"""What the dashboard reads: one narrow, typed port (the bootstrap's `App` satisfies it).

The dashboard is an adapter (HTTP pages over the same services the bot uses), like a
transport; it never imports `bot.app` or `bot.bootstrap`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.roles import Roles
    from bot.notices.service import NoticeService
    from bot.storage.db import Database
    from bot.texts import Texts
    from bot.tickets.service import TicketService


class DashboardDeps(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def db(self) -> Database: ...
    @property
    def texts(self) -> Texts: ...
    @property
    def roles(self) -> Roles: ...
    @property
    def tickets(self) -> TicketService: ...
    @property
    def notices(self) -> NoticeService: ...
