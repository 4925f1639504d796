"""Follow-up visits (回访): every complaint after 7 days, a deterministic 30% of repairs after
10 days, in the daytime; answers recorded; an unhappy answer reopens and escalates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.models import TicketStatus
from bot.tickets import jobs
from bot.tickets.followup import in_sample
from tests.tickets.conftest import MANAGER, RESIDENT, STAFF_A, SUPERVISOR, Desk

DAY = 86400


async def closed(desk: Desk, intent: str, **kw: Any) -> int:
    ticket = await desk.open(intent, "normal", description="楼上装修太吵", **kw)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A)
    await desk.h.press(
        str(kw.get("user_id", RESIDENT)),
        f"tk:fixed:{ticket.id}:yes",
        user=str(kw.get("user_id", RESIDENT)),
    )
    return ticket.id


def followups(desk: Desk, chat: str = RESIDENT) -> list[str]:
    return [m.plain for m in desk.h.chat(chat) if "回访" in m.plain]


async def test_a_closed_complaint_gets_a_follow_up_after_seven_days(desk: Desk) -> None:
    tid = await closed(desk, "complaint")
    job = await desk.app.scheduler.job(jobs.job_id(jobs.FOLLOWUP, tid))
    assert job is not None
    # closed at 18:00 local on day 0; day 7 at 18:00 is daytime
    assert job.run_at == desk.h.clock.now() + timedelta(days=7)
    await desk.h.tick(7 * DAY - 1)
    assert followups(desk) == []
    await desk.h.tick(1)
    (text,) = followups(desk)
    assert "投诉" in text and f"#{tid}" in text and "满意吗" in text
    assert desk.h.last(RESIDENT).button_texts == ["满意", "一般", "不满意"]
    await desk.h.press(RESIDENT, f"tk:fu:{tid}:good", user=RESIDENT)
    ticket = await desk.ticket(tid)
    assert ticket.followup_answer == "good" and ticket.status == TicketStatus.CLOSED
    assert "回访：满意" in desk.alert(tid).plain
    events = await desk.app.tickets.events(tid)
    assert [e.kind for e in events][-2:] == ["followup_sent", "followup_answer"]
    assert events[-1].actor_kind == "resident" and events[-1].data == {"value": "good"}
    await desk.h.press(RESIDENT, f"tk:fu:{tid}:bad", user=RESIDENT)  # answered already
    assert (await desk.ticket(tid)).followup_answer == "good"


async def test_an_unhappy_follow_up_reopens_and_goes_to_supervisors_and_managers(
    desk: Desk,
) -> None:
    tid = await closed(desk, "complaint")
    await desk.h.tick(7 * DAY)
    await desk.h.press(RESIDENT, f"tk:fu:{tid}:bad", user=RESIDENT)
    ticket = await desk.ticket(tid)
    assert ticket.status == TicketStatus.REOPENED and ticket.followup_answer == "bad"
    assert "已重新打开" in desk.h.last(RESIDENT).plain
    for person in (SUPERVISOR, MANAGER):
        (msg,) = desk.h.chat(person)
        assert "回访不满意" in msg.plain and "不满意" in msg.plain
    assert any("回访不满意" in m.plain and "请重新接单" in m.plain for m in desk.h.chat(desk.group))
    assert (await desk.ticket(tid)).escalation_level == 2


async def test_a_follow_up_falling_at_night_waits_for_the_morning(desk: Desk) -> None:
    desk.h.clock.set(datetime(2026, 11, 21, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai
    tid = await closed(desk, "complaint")
    job = await desk.app.scheduler.job(jobs.job_id(jobs.FOLLOWUP, tid))
    assert job is not None
    assert job.run_at == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # day 8, 10:00 local


def test_the_repair_sample_is_deterministic_and_about_thirty_percent() -> None:
    picks = [in_sample(i, 0.3) for i in range(1, 5001)]
    assert picks == [in_sample(i, 0.3) for i in range(1, 5001)]
    assert 0.27 < sum(picks) / len(picks) < 0.33
    assert not any(in_sample(i, 0.0) for i in range(1, 500))
    assert all(in_sample(i, 1.0) for i in range(1, 500))


async def test_repairs_in_the_sample_get_a_follow_up_after_ten_days_others_none(desk: Desk) -> None:
    sampled = []
    for n in range(8):
        chat = str(4000 + n)
        sampled.append((await closed(desk, "repair", chat_id=chat, user_id=chat), chat))
    planned = {
        j.payload["ticket_id"] for j in await desk.app.scheduler.jobs() if j.kind == jobs.FOLLOWUP
    }
    expected = {tid for tid, _ in sampled if in_sample(tid, 0.3)}
    assert planned == expected and 0 < len(expected) < len(sampled)
    await desk.h.tick(10 * DAY)
    for tid, chat in sampled:
        assert bool(followups(desk, chat)) == (tid in expected)


async def test_other_intents_and_unclosed_tickets_get_no_follow_up(desk: Desk) -> None:
    await closed(desk, "inquiry")
    await desk.open("complaint", "normal", chat_id="4100", user_id="4100")  # never closed
    assert [j for j in await desk.app.scheduler.jobs() if j.kind == jobs.FOLLOWUP] == []


async def test_a_follow_up_button_before_the_visit_does_nothing(desk: Desk) -> None:
    tid = await closed(desk, "complaint")
    await desk.h.press(RESIDENT, f"tk:fu:{tid}:bad", user=RESIDENT)
    assert desk.last_answer() == "这个按钮已失效。"
    ticket = await desk.ticket(tid)
    assert ticket.status == TicketStatus.CLOSED and ticket.followup_answer is None


async def test_sample_rate_is_a_setting(make_desk: Any) -> None:
    desk = await make_desk(followup_repair_sample_rate=1.0)
    tid = await closed(desk, "repair")
    assert await desk.app.scheduler.job(jobs.job_id(jobs.FOLLOWUP, tid)) is not None
