"""At resolved the resident is asked "is it fixed?" (是/否), then for a 1-5 rating.
是 closes; 否 reopens and escalates; silence closes after TICKET_AUTOCLOSE_SECONDS."""

from __future__ import annotations

from bot.storage.models import TicketStatus
from bot.tickets import jobs
from tests.tickets.conftest import OTHER_RESIDENT, RESIDENT, STAFF_A, STAFF_B, SUPERVISOR, Desk


async def resolved(desk: Desk, **kw: object) -> int:
    kw = {"intent": "repair", "severity": "normal", "description": "水龙头坏了", **kw}
    ticket = await desk.open(**kw)  # type: ignore[arg-type]
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    return ticket.id


async def test_resolved_asks_the_resident_is_it_fixed(desk: Desk) -> None:
    tid = await resolved(desk)
    question = desk.h.last(RESIDENT)
    assert "问题解决了吗" in question.plain
    assert question.button_texts == ["是，解决了", "否，还没好"]
    assert question.button_data == [f"tk:fixed:{tid}:yes", f"tk:fixed:{tid}:no"]


async def test_yes_closes_then_a_rating_is_recorded_once(desk: Desk) -> None:
    tid = await resolved(desk)
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:yes", user=RESIDENT)
    ticket = await desk.ticket(tid)
    assert (
        ticket.status == TicketStatus.CLOSED
        and ticket.fixed is True
        and ticket.closed_at is not None
    )
    question = next(m for m in desk.h.chat(RESIDENT) if "问题解决了吗" in m.plain)
    assert question.buttons is None and "您的回答：是，解决了" in question.plain  # no double taps
    ask = desk.h.last(RESIDENT)
    assert ask.button_data == [f"tk:rate:{tid}:{n}" for n in range(1, 6)]
    await desk.h.press(RESIDENT, f"tk:rate:{tid}:4", user=RESIDENT)
    assert (await desk.ticket(tid)).rating == 4
    assert "谢谢您的评价" in desk.h.last(RESIDENT).plain
    assert "住户评分：4 分" in desk.alert(tid).plain
    await desk.h.press(RESIDENT, f"tk:rate:{tid}:1", user=RESIDENT)  # a replayed button
    assert (await desk.ticket(tid)).rating == 4
    assert desk.last_answer() == "已收到过您的回答，谢谢！"
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:no", user=RESIDENT)  # too late to change
    assert desk.last_answer() == "已收到过您的回答，谢谢！"
    kinds = await desk.event_kinds(tid)
    assert kinds.count("closed") == 1 and kinds.count("rated") == 1 and "reopened" not in kinds
    assert desk.h.chat(SUPERVISOR) == []


async def test_no_reopens_and_escalates_to_a_supervisor(desk: Desk) -> None:
    tid = await resolved(desk, intent="gas_leak", severity="emergency", description="煤气味")
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:no", user=RESIDENT)
    ticket = await desk.ticket(tid)
    assert (
        ticket.status == TicketStatus.REOPENED
        and ticket.fixed is False
        and ticket.claimed_by is None
    )
    assert "重新派给工作人员" in desk.h.last(RESIDENT).plain
    sup = desk.h.chat(SUPERVISOR)
    assert (
        len(sup) == 1
        and "住户说问题没有解决" in sup[0].plain
        and sup[0].button_data == [f"tk:claim:{tid}"]
    )
    note = [m for m in desk.h.chat(desk.group) if "工单已重开，请重新接单" in m.plain]
    assert len(note) == 1 and f"tk:claim:{tid}" in note[0].button_data
    alert = desk.alert(tid)
    assert "住户说没有解决，工单重开" in alert.plain and "等待接单" in alert.plain
    assert alert.button_data[0] == f"tk:claim:{tid}"
    # it is active again: the resident's messages go to staff, the claim clock runs again
    active = await desk.app.tickets.active_ticket_for(RESIDENT)
    assert active is not None and active.id == tid
    assert await desk.app.scheduler.job(jobs.job_id(jobs.CLAIM_REMINDER, tid)) is not None
    await desk.h.tick(300)
    reminder = [m for m in desk.h.chat(desk.group) if m.plain.startswith(f"⏰ #{tid} 已等待 5分钟")]
    assert len(reminder) == 1  # counted from the reopening, not from the first report
    # and a second round works like the first
    await desk.staff(f"tk:claim:{tid}", STAFF_B, "李师傅")
    await desk.staff(f"tk:resolve:{tid}", STAFF_B, "李师傅")
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:yes", user=RESIDENT)
    ticket = await desk.ticket(tid)
    assert (
        ticket.status == TicketStatus.CLOSED
        and ticket.claimed_by == STAFF_B
        and ticket.fixed is True
    )


async def test_only_the_tickets_resident_can_answer(desk: Desk) -> None:
    tid = await resolved(desk)
    await desk.h.press(OTHER_RESIDENT, f"tk:fixed:{tid}:no", user=OTHER_RESIDENT)
    assert desk.last_answer() == "这个按钮不是给您的。"
    await desk.staff(f"tk:fixed:{tid}:yes", STAFF_B)  # staff cannot answer for the resident
    assert desk.last_answer() == "这个按钮不是给您的。"
    assert (await desk.ticket(tid)).status == TicketStatus.RESOLVED


async def test_answering_before_resolved_does_nothing(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.press(RESIDENT, f"tk:fixed:{ticket.id}:no", user=RESIDENT)
    await desk.h.press(RESIDENT, f"tk:fixed:{ticket.id}:yes", user=RESIDENT)
    await desk.h.press(RESIDENT, f"tk:rate:{ticket.id}:1", user=RESIDENT)
    assert (await desk.ticket(ticket.id)).status == TicketStatus.OPEN
    assert await desk.event_kinds(ticket.id) == ["created"]


async def test_silence_closes_the_ticket_and_a_late_yes_is_still_recorded(desk: Desk) -> None:
    tid = await resolved(desk)
    await desk.h.tick(172799)
    assert (await desk.ticket(tid)).status == TicketStatus.RESOLVED
    await desk.h.tick(1)  # TICKET_AUTOCLOSE_SECONDS = 48 h
    ticket = await desk.ticket(tid)
    assert ticket.status == TicketStatus.CLOSED and ticket.fixed is None
    assert "住户未回复，自动结单" in desk.alert(tid).plain
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:yes", user=RESIDENT)
    assert (await desk.ticket(tid)).fixed is True
    assert desk.h.last(RESIDENT).button_data[0] == f"tk:rate:{tid}:1"


async def test_not_fixed_after_the_automatic_close_reopens(desk: Desk) -> None:
    tid = await resolved(desk)
    await desk.h.tick(172800)
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:no", user=RESIDENT)
    assert (await desk.ticket(tid)).status == TicketStatus.REOPENED


async def test_a_low_rating_goes_to_the_supervisors(desk: Desk) -> None:
    tid = await resolved(desk)
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:yes", user=RESIDENT)
    await desk.h.press(RESIDENT, f"tk:rate:{tid}:2", user=RESIDENT)
    sup = desk.h.chat(SUPERVISOR)
    assert len(sup) == 1 and "只评了 2 分" in sup[0].plain and sup[0].buttons is None
    assert "很抱歉这次没让您满意" in desk.h.last(RESIDENT).plain


async def test_english_speaking_resident_reads_english(desk: Desk) -> None:
    await resolved(desk, locale="en")
    question = desk.h.last(RESIDENT)
    assert "Is it fixed?" in question.plain and question.button_texts == [
        "Yes, fixed",
        "No, not yet",
    ]
    assert any("A staff member has taken your request" in m.plain for m in desk.h.chat(RESIDENT))


async def test_after_an_emergency_everyone_safe_comes_first_and_no_stars(desk: Desk) -> None:
    tid = await resolved(desk, intent="fire", severity="emergency", description="厨房着火了")
    question = desk.h.last(RESIDENT)
    assert "大家都平安吗" in question.plain
    await desk.h.press(RESIDENT, f"tk:fixed:{tid}:yes", user=RESIDENT)
    last = desk.h.last(RESIDENT)
    assert "平安就好" in last.plain
    assert not any("tk:rate" in d for m in desk.h.chat(RESIDENT) for d in m.button_data)
    assert (await desk.ticket(tid)).status == TicketStatus.CLOSED
