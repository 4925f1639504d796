"""An emergency takes over the same resident's question that nobody has taken yet (blind
DJ03, DJ12: the danger told small first went to the desk as a question)."""

from __future__ import annotations

from typing import Any

from bot.storage.models import TicketStatus
from bot.tickets.draft import TicketDraft
from bot.tickets.states import Actor

RESIDENT = "1001"


def draft(intent: str, description: str, **kw: Any) -> TicketDraft:
    return TicketDraft(
        chat_id=RESIDENT, user_id=RESIDENT, user_name="王女士", intent=intent,
        severity="normal", description=description, **kw,
    )  # fmt: skip


async def test_an_emergency_takes_over_the_residents_untaken_question(harness: Any) -> None:
    h = harness
    question = await h.app.tickets.open_ticket(draft("inquiry", "楼道有点烟 应该没事吧"))
    taken = await h.app.tickets.open_ticket(draft("complaint", "楼上太吵", building="8-3"))
    await h.app.tickets.workflow.claim(taken, Actor("staff", "501", "张师傅"))
    await h.say(RESIDENT, "8栋3单元1102 楼道里全是烟 13812345678")
    fire = await h.app.tickets.active_ticket_for(RESIDENT)
    assert fire is not None and fire.intent == "fire"
    assert "应该没事吧" in fire.description  # the first words travel
    merged = await h.app.tickets.get(question.id)
    assert (merged.status, merged.close_reason, merged.merged_into) == (
        "closed", "duplicate", fire.id,
    )  # fmt: skip
    kept = await h.app.tickets.get(taken.id)
    assert kept.status == TicketStatus.CLAIMED and "楼上太吵" not in fire.description
    assert not any("是同一件事" in m.plain for m in h.chat(RESIDENT))  # not told twice
    assert any(f"已并入 #{fire.id}" in m.plain for m in h.chat(h.staff_chat))


async def test_a_question_of_an_hour_ago_is_left_alone(harness: Any) -> None:
    h = harness
    question = await h.app.tickets.open_ticket(draft("inquiry", "物业费怎么交"))
    h.clock.advance(3600)
    await h.say(RESIDENT, "8栋3单元1102 楼道里全是烟 13812345678")
    assert (await h.app.tickets.get(question.id)).status == TicketStatus.OPEN
