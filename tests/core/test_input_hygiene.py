"""A NUL (or another control character) in a message never stops a report: on PostgreSQL,
which refuses NUL in text, the life-saving line, the ticket and the staff alert all happen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.storage.models import Ticket
from tests.support.harness import make_harness


async def test_a_nul_in_an_emergency_report_still_opens_the_ticket_and_alerts(
    database_url: str, classifier: Any
) -> None:
    h = await make_harness(database_url, classifier=classifier)
    try:
        shown = await h.say("1001", "3栋1202厨房有煤气味\x00\x00快来", name="王\x00芳")
        assert any("燃气" in m.plain or "不要开关" in m.plain for m in shown)
        await h.say("1001", "138\x0012345678", name="王\x00芳")
        await h.tick(120)  # whatever is still asked, silence opens the ticket
        async with h.app.db.session() as session:
            tickets = (await session.scalars(select(Ticket))).all()
        assert len(tickets) == 1
        ticket = tickets[0]
        assert "\x00" not in ticket.description and "煤气味" in ticket.description
        assert ticket.user_name == "王芳"
        alerts = h.chat(h.staff_chat)
        assert alerts and f"#{ticket.id}" in alerts[0].plain
    finally:
        await h.close()
