"""`NoticeFlowContext`: what the manager's notice conversation (`flow.py`) uses, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger
    from bot.estates import Estates
    from bot.notices.service import NoticeService
    from bot.storage.db import Database
    from bot.texts import Texts


@dataclass(frozen=True, eq=False)
class NoticeFlowContext:
    settings: Settings
    clock: Clock
    db: Database
    texts: Texts
    outbox: Messenger
    notices: NoticeService
    estates: Estates | None = None  # several estates: a notice is for one of them
