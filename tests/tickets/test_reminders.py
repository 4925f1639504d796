"""Reminders and the escalation ladder, with the fake clock (`tick` runs due jobs)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.tickets import jobs
from tests.tickets.conftest import MANAGER, RESIDENT, STAFF_A, SUPERVISOR, Desk


def reminders(desk: Desk, ticket_id: int) -> list[str]:
    return [
        m.plain for m in desk.h.chat(desk.group) if m.plain.startswith(f"⏰ #{ticket_id} 已等待")
    ]


async def test_unclaimed_emergency_is_reminded_then_climbs_the_ladder(desk: Desk) -> None:
    ticket = await desk.open()
    assert await desk.h.tick(299) == []
    shown = await desk.h.tick(1)  # SLA_CLAIM_SECONDS_EMERGENCY = 300
    # one reminder in the group; the resident hears the truth (still being assigned, the
    # group reminded: nobody above it has been told yet) and the emergency numbers again
    assert [m.chat_id for m in shown] == [desk.group, RESIDENT]
    assert "还在安排" in shown[1].plain and "120" in shown[1].plain
    assert "再次提醒值班人员" in shown[1].plain and "主管" not in shown[1].plain
    assert "已等 5分钟" in shown[1].plain  # how long, so three reminders never read the same
    reminder = shown[0]
    assert "已等待 5分钟，还没有人接单" in reminder.plain and "第 1 次" in reminder.plain
    assert reminder.reply_to == desk.alert(ticket.id).message_id
    assert f"tk:claim:{ticket.id}" in reminder.button_data  # claim from the reminder
    assert desk.h.chat(SUPERVISOR) == []

    await desk.h.tick(300)  # the second reminder: ESCALATE_AFTER_REMINDERS = 2 -> supervisors
    assert len(reminders(desk, ticket.id)) == 2
    to_supervisor = desk.h.chat(SUPERVISOR)
    assert len(to_supervisor) == 1 and "请主管处理" in to_supervisor[0].plain
    assert "厨房有煤气味" in to_supervisor[0].plain and to_supervisor[0].button_data == [
        f"tk:claim:{ticket.id}"
    ]
    assert desk.h.chat(MANAGER) == []
    assert "已通知主管" in desk.alert(ticket.id).plain
    assert "已升级通知主管" in desk.h.last(RESIDENT).plain  # now it is true
    assert "已等 10分钟" in desk.h.last(RESIDENT).plain

    await desk.h.tick(300)  # the third: managers
    to_manager = desk.h.chat(MANAGER)
    assert len(to_manager) == 1 and "请经理处理" in to_manager[0].plain
    assert len(desk.h.chat(SUPERVISOR)) == 1  # supervisors are not told twice
    assert (await desk.ticket(ticket.id)).escalation_level == 2

    await desk.h.tick(300)  # the ladder has no more rungs; reminders go on in the group
    assert len(reminders(desk, ticket.id)) == 4
    assert len(desk.h.chat(MANAGER)) == 1


async def test_claiming_stops_the_reminders(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.tick(300)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    assert await desk.app.scheduler.job(jobs.job_id(jobs.CLAIM_REMINDER, ticket.id)) is None
    await desk.h.tick(3000)
    assert len(reminders(desk, ticket.id)) == 1
    assert desk.h.chat(SUPERVISOR) == []


@pytest.mark.parametrize(
    ("intent", "severity", "sla"), [("power_outage", "urgent", 1800), ("repair", "normal", 3600)]
)
async def test_each_severity_has_its_own_claim_deadline(
    desk: Desk, intent: str, severity: str, sla: int
) -> None:
    ticket = await desk.open(intent, severity, description="没电了")
    await desk.h.tick(sla - 1)
    assert reminders(desk, ticket.id) == []
    await desk.h.tick(1)
    assert len(reminders(desk, ticket.id)) == 1


async def test_without_supervisors_the_ladder_goes_to_managers(make_desk: Any) -> None:
    desk = await make_desk(supervisor_ids=[])
    ticket = await desk.open()
    await desk.h.tick(300)
    await desk.h.tick(300)
    assert len(desk.h.chat(MANAGER)) == 1 and "请经理处理" in desk.h.chat(MANAGER)[0].plain
    await desk.h.tick(300)
    assert len(desk.h.chat(MANAGER)) == 1
    assert (await desk.ticket(ticket.id)).escalation_level == 2


async def test_with_nobody_to_escalate_to_the_group_is_told_once(make_desk: Any) -> None:
    desk = await make_desk(supervisor_ids=[], manager_ids=[])
    ticket = await desk.open()
    for _ in range(4):
        await desk.h.tick(300)
    nobody = [m for m in desk.h.chat(desk.group) if "无法升级" in m.plain]
    assert len(nobody) == 1 and "SUPERVISOR_IDS" in nobody[0].plain
    assert len(reminders(desk, ticket.id)) == 4
    told = [m.plain for m in desk.h.chat(RESIDENT) if "还在安排" in m.plain]
    assert len(told) == 3  # the resident is never told of an escalation that reached nobody
    assert all("再次提醒值班人员" in t and "主管" not in t for t in told)


async def test_reminders_stop_at_the_limit(make_desk: Any) -> None:
    desk = await make_desk(claim_reminder_limit=3)
    ticket = await desk.open()
    for _ in range(6):
        await desk.h.tick(300)
    assert len(reminders(desk, ticket.id)) == 3
    assert await desk.app.scheduler.job(jobs.job_id(jobs.CLAIM_REMINDER, ticket.id)) is None


async def test_claimed_emergency_not_on_site_reminds_the_claimer_and_the_group(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.tick(1199)
    assert desk.h.chat(STAFF_A) == []
    await desk.h.tick(1)  # ONSITE_REMINDER_SECONDS = 1200 (procedures: 20 minutes)
    private = desk.h.chat(STAFF_A)
    assert len(private) == 1 and "还没有按“已到场”" in private[0].plain
    assert private[0].button_data == [f"tk:onsite:{ticket.id}"]
    group = [m for m in desk.h.chat(desk.group) if "还没有到场" in m.plain]
    assert len(group) == 1 and "张师傅" in group[0].plain
    # the claimer presses 已到场 in the private chat
    await desk.h.press(STAFF_A, f"tk:onsite:{ticket.id}", user=STAFF_A, name="张师傅")
    assert (await desk.ticket(ticket.id)).status == "on_site"
    await desk.h.tick(3600)
    assert len(desk.h.chat(STAFF_A)) == 1


async def test_no_on_site_reminder_when_on_site_in_time_or_not_an_emergency(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    await desk.h.tick(600)
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_A)
    repair = await desk.open(
        "repair", "normal", description="灯坏了", chat_id="2002", user_id="2002"
    )
    await desk.staff(f"tk:claim:{repair.id}", STAFF_A)
    await desk.h.tick(3600)
    assert desk.h.chat(STAFF_A) == []
    assert "ticket.onsite_reminder" not in [j.kind for j in await desk.app.scheduler.jobs()]
