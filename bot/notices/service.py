"""Outage notices. Stub until the notices issue.

API used by the resident flows (stable): `answer_outage(...)` returns the HTML to send the
resident when an active notice (or a known cluster) already covers the report, else None,
in which case the flow opens a ticket as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


class NoticeService:
    def __init__(self, app: App) -> None:
        self.app = app

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
    ) -> str | None:
        return None
