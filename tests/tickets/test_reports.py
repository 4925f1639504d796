"""Incident reports: the deadline rule of procedures.md in local time, the reminder before
it, and `/report N` (a message and a file)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.actions import SendDocument
from bot.tickets import jobs
from bot.tickets.reports import report_deadline
from tests.tickets.conftest import STAFF_A, STAFF_B, Desk

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("event", "due"),
    [
        (local(21, 9, 0), local(21, 18)),  # 09-13 -> 18:00 the same day
        (local(21, 12, 59), local(21, 18)),
        (local(21, 13, 0), local(22, 9)),  # 13-18 -> 09:00 the next day
        (local(21, 17, 59), local(22, 9)),
        (local(21, 18, 0), local(22, 12)),  # 18-09 -> 12:00 following
        (local(21, 23, 59), local(22, 12)),
        (local(22, 0, 0), local(22, 12)),  # after midnight: the noon that follows is today's
        (local(22, 3, 30), local(22, 12)),
        (local(22, 8, 59), local(22, 12)),
        (local(30, 20, 0), datetime(2026, 12, 1, 12, tzinfo=SHANGHAI)),  # across a month end
    ],
)
def test_report_deadline_bands_and_edges(event: datetime, due: datetime) -> None:
    assert report_deadline(event, SHANGHAI) == due


def test_report_deadline_reads_utc_in_local_time() -> None:
    # 00:30 UTC is 08:30 in Shanghai (the 18-09 band, after midnight): noon the same local day
    assert report_deadline(datetime(2026, 11, 21, 0, 30, tzinfo=UTC), SHANGHAI) == local(21, 12)
    # 04:59 UTC is 12:59 local: 18:00 local
    assert report_deadline(datetime(2026, 11, 21, 4, 59, tzinfo=UTC), SHANGHAI) == local(21, 18)
    # the same instant in Hong Kong time (no DST either) gives the same local answer
    hk = ZoneInfo("Asia/Hong_Kong")
    assert report_deadline(datetime(2026, 11, 21, 5, 0, tzinfo=UTC), hk) == datetime(
        2026, 11, 22, 9, tzinfo=hk
    )


async def test_resolving_an_emergency_sets_the_deadline_and_reminds_the_claimer(desk: Desk) -> None:
    desk.h.clock.set(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))  # 10:00 local: due 18:00 local
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.tick(1800)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    fresh = await desk.ticket(ticket.id)
    assert fresh.report_due_at == local(21, 18)
    assert any("事件报告须在 11-21 18:00 前提交" in m.plain for m in desk.h.chat(desk.group))
    job = await desk.app.scheduler.job(jobs.job_id(jobs.REPORT_REMINDER, ticket.id))
    assert job is not None and job.run_at == local(21, 17)  # one hour before
    await desk.h.tick((local(21, 17) - desk.h.clock.now()).total_seconds() - 1)
    assert desk.h.chat(STAFF_A) == []
    await desk.h.tick(1)
    (private,) = desk.h.chat(STAFF_A)
    assert "请提交事件报告" in private.plain and "11-21 18:00" in private.plain
    assert private.button_data == [f"tk:reported:{ticket.id}"]
    assert any("请提交事件报告" in m.plain for m in desk.h.chat(desk.group))
    # the claimer presses 报告已提交 in the private chat
    await desk.h.press(STAFF_A, f"tk:reported:{ticket.id}", user=STAFF_A, name="张师傅")
    assert "事件报告已提交" in desk.last_answer()
    assert "report_submitted" in await desk.event_kinds(ticket.id)


async def test_resolved_after_the_deadline_reminds_at_once_as_overdue(desk: Desk) -> None:
    desk.h.clock.set(datetime(2026, 11, 21, 4, 0, tzinfo=UTC))  # 12:00 local: due 18:00
    ticket = await desk.open()
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_A)
    await desk.h.tick(8 * 3600)  # resolved at 20:00 local
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A)
    await desk.h.tick(0)
    assert any("已过截止时间" in m.plain for m in desk.h.chat(STAFF_A))


async def test_submitting_before_the_reminder_cancels_it(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A)
    await desk.staff(f"tk:reported:{ticket.id}", STAFF_B)  # anyone in the group may say so
    await desk.staff(f"tk:reported:{ticket.id}", STAFF_A)
    assert "已登记为提交" in desk.last_answer()
    await desk.h.tick(2 * 86400)
    assert desk.h.chat(STAFF_A) == []
    assert (await desk.event_kinds(ticket.id)).count("report_submitted") == 1


async def test_no_report_deadline_for_other_severities(desk: Desk) -> None:
    ticket = await desk.open("repair", "normal", description="门锁坏了")
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A)
    assert (await desk.ticket(ticket.id)).report_due_at is None
    assert await desk.app.scheduler.job(jobs.job_id(jobs.REPORT_REMINDER, ticket.id)) is None


async def test_report_command_drafts_the_report_as_a_message_and_a_file(desk: Desk) -> None:
    ticket = await desk.open(phone=None, description="电梯里困了两个人")
    await desk.h.tick(120)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.tick(600)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.say(desk.group, f"/report {ticket.id}", user=STAFF_B, name="李师傅")
    message = [m for m in desk.h.chat(desk.group) if "事件报告（草稿）" in m.plain][-1]
    plain = message.plain
    for part in (
        "时间：18:00",
        "日期：2026-11-21",
        "地点：3栋 1202室",
        "事件：燃气泄漏",
        "电梯里困了两个人",
        "经过：",
        "张师傅：接单",
        "尚不确定",
        "住户电话未登记",
        "没有记录到场时间",
        "结论：",
        "报告截止：11-22 12:00",
        "签名",
    ):
        assert part in plain, part
    assert message.button_data == [f"tk:reported:{ticket.id}"]
    (document,) = [a for a, _ in desk.h.sender.log if isinstance(a, SendDocument)]
    assert (
        document.chat_id == desk.group and document.filename == f"incident-report-{ticket.id}.txt"
    )
    body = document.content.decode("utf-8")
    assert "事件报告（草稿）" in body and "张师傅：接单" in body and "<b>" not in body
    assert "report_drafted" in await desk.event_kinds(ticket.id)


async def test_report_of_a_long_timeline_fits_one_message_and_the_file_has_all(desk: Desk) -> None:
    ticket = await desk.open()
    for n in range(120):
        await desk.app.tickets.add_event(
            ticket.id, "message_in", actor_kind="resident", text=f"第{n}条消息" * 3
        )
    await desk.h.say(desk.group, f"/report {ticket.id}", user=STAFF_A)
    message = [m for m in desk.h.chat(desk.group) if "事件报告（草稿）" in m.plain][-1]
    assert len(message.text) < 4096 and "略" in message.plain
    (document,) = [a for a, _ in desk.h.sender.log if isinstance(a, SendDocument)]
    assert "第0条消息" in document.content.decode("utf-8")
