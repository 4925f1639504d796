"""A notice's life: planned, reminded, active at its start, due at its end, restored or
withdrawn, and what /notices shows meanwhile."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.notices.render import NoticeFacts
from tests.notices.support import MANAGER, add_residents, deliveries
from tests.support.harness import Harness

TZ = ZoneInfo("Asia/Shanghai")


def hours(n: float) -> float:
    return timedelta(hours=n).total_seconds()


async def publish(
    h: Harness, *, start_in: float, lasts: float | None = 8, buildings: list[str] | None = None
):
    now = h.clock.now()
    facts = NoticeFacts(
        "water",
        buildings or ["3"],
        now + timedelta(hours=start_in),
        now + timedelta(hours=start_in + lasts) if lasts is not None else None,
        "管道维修",
        "",
    )
    notice, _, _ = await h.app.notices.publish(facts, created_by=MANAGER, manager_chat_id=MANAGER)
    await h.app.notices.drain()
    await h.app.outbox.drain()
    return notice


async def answer(
    h: Harness, chat: str = "asker", building: str = "3", intent: str = "water_outage"
) -> str | None:
    return await h.app.notices.answer_outage(
        chat_id=chat,
        user_id=chat,
        user_name="王女士",
        intent=intent,
        building=building,
        text="怎么没水了",
        locale="zh",
    )


async def test_planned_reminded_started_due_restored(h: Harness) -> None:
    chats = await add_residents(h.app, 3, buildings=["3"])
    notice = await publish(h, start_in=5)
    assert notice.status == "planned"
    assert all("停水通知" in h.last(c).plain for c in chats)
    assert await answer(h) is None  # not started yet: a report today is something else

    shown = await h.tick(hours(4) - 60)
    assert not [m for m in shown if m.chat_id in chats]
    shown = await h.tick(120)  # an hour before the start
    reminders = [m for m in shown if m.chat_id in chats]
    assert (
        len(reminders) == 3
        and "【提醒】3栋 将于" in reminders[0].plain
        and "停水" in reminders[0].plain
    )
    assert "开始前提醒：送达 3/3" in h.last(MANAGER).plain

    await h.tick(hours(1))
    assert (await h.app.notices.get(notice.id)).status == "active"  # type: ignore[union-attr]
    text = await answer(h)
    assert text is not None and "正在停水" in text and "管道维修" in text

    shown = await h.tick(hours(8))  # the expected end: ask the manager
    due = [m for m in shown if m.chat_id == MANAGER][-1]
    assert "预计恢复时间" in due.plain and due.button_data == [f"nt:ry:{notice.id}"]
    await h.press(MANAGER, f"nt:ry:{notice.id}")
    assert all("【已恢复供水】3栋" in h.last(c).plain for c in chats)
    assert "【已恢复供水】" in h.last("asker").plain  # who asked hears it too
    assert (await h.app.notices.get(notice.id)).status == "restored"  # type: ignore[union-attr]
    assert await answer(h) is None  # no longer covers anything


async def test_no_separate_reminder_when_the_start_is_near(h: Harness) -> None:
    chats = await add_residents(h.app, 2, buildings=["3"])
    await publish(h, start_in=0.5)
    await h.tick(hours(1))
    assert all(len(h.chat(c)) == 1 for c in chats)


async def test_already_started_is_active_at_once(h: Harness) -> None:
    notice = await publish(h, start_in=-1)
    assert notice.status == "active"


async def test_the_notices_list(h: Harness) -> None:
    await add_residents(h.app, 4, buildings=["3", "4"])
    active = await publish(h, start_in=-1, buildings=["3"])
    planned = await publish(h, start_in=24, buildings=["4"])
    await answer(h, "a1")
    await answer(h, "a1")  # the same resident twice counts once
    await answer(h, "a2")
    shown = (await h.say(MANAGER, "/notices"))[-1]
    assert f"#{active.id} 停水 · 3栋 · 进行中" in shown.plain
    assert f"#{planned.id} 停水 · 4栋 · 计划中" in shown.plain
    assert "送达 2/2（100%） · 2 人来询问" in shown.plain
    assert shown.button_data == [f"nt:rq:{active.id}", f"nt:cq:{active.id}", f"nt:cq:{planned.id}"]


async def test_nothing_current(h: Harness) -> None:
    assert "没有进行中或计划中的通知" in (await h.say(MANAGER, "/notices"))[-1].plain


async def test_restored_asks_first(h: Harness) -> None:
    chats = await add_residents(h.app, 2, buildings=["3"])
    notice = await publish(h, start_in=-1)
    shown = (await h.say(MANAGER, f"/restored {notice.id}"))[-1]
    assert "确认" in shown.plain and "2 位住户" in shown.plain
    shown = await h.press(MANAGER, "nt:no")
    assert "保持不变" in shown[-1].plain
    assert all(len(h.chat(c)) == 1 for c in chats)
    await h.say(MANAGER, f"/restored #{notice.id}")
    shown = await h.press(MANAGER, f"nt:ry:{notice.id}")
    assert any(f"#{notice.id} 已标记恢复" in m.plain for m in shown)
    assert all("已恢复供水" in h.last(c).plain for c in chats)
    shown = await h.press(MANAGER, f"nt:ry:{notice.id}")  # pressed again later
    assert f"#{notice.id} 现在是“已恢复”" in shown[-1].plain
    assert all(len(h.chat(c)) == 2 for c in chats)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/restored", "请写上通知编号"),
        ("/restored 99", "没有编号为 #99"),
        ("/cancel_notice abc", "请写上通知编号"),
    ],
)
async def test_restored_needs_a_real_number(h: Harness, command: str, expected: str) -> None:
    assert expected in (await h.say(MANAGER, command))[-1].plain


async def test_a_planned_notice_cannot_be_restored_only_withdrawn(h: Harness) -> None:
    chats = await add_residents(h.app, 2, buildings=["3"])
    notice = await publish(h, start_in=24)
    assert "还没开始" in (await h.say(MANAGER, f"/restored {notice.id}"))[-1].plain
    await h.say(MANAGER, f"/cancel_notice {notice.id}")
    await h.press(MANAGER, f"nt:cy:{notice.id}")
    assert all("【通知撤回】" in h.last(c).plain for c in chats)
    shown = await h.tick(hours(24))  # no reminder, no start, no due for a withdrawn notice
    assert not [m for m in shown if m.chat_id in chats]
    assert (await h.app.notices.get(notice.id)).status == "cancelled"  # type: ignore[union-attr]


async def test_withdrawn_before_anyone_was_told(h: Harness) -> None:
    chats = await add_residents(h.app, 5, buildings=["3"])
    now = h.clock.now()
    facts = NoticeFacts("water", ["3"], now + timedelta(hours=3), None, "管道维修", "")
    notice, _, _ = await h.app.notices.publish(facts, created_by=MANAGER, manager_chat_id=MANAGER)
    assert await h.app.notices.withdraw(notice.id) == 0  # nobody was told: nobody to tell
    await h.app.notices.drain()
    assert all(not h.chat(c) for c in chats)
    assert set((await deliveries(h.app, notice.id)).values()) == {"skipped"}


async def test_times_shown_to_residents_are_local(h: Harness) -> None:
    chats = await add_residents(h.app, 1, buildings=["3"])
    start = datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
    facts = NoticeFacts("power", ["3"], start, start + timedelta(hours=3), "线路检修", "")
    await h.app.notices.publish(facts, created_by=MANAGER, manager_chat_id=MANAGER)
    await h.app.notices.drain()
    text = h.last(chats[0]).plain
    assert "【停电通知】3栋" in text and "12月3日（周四）09:00 至 12:00" in text
    assert "电梯可能停运" in text  # the default advice for a power cut


async def test_a_notice_nobody_can_be_sent_says_so_in_the_list(h: Harness) -> None:
    await publish(h, start_in=-1, buildings=["9"])  # nobody known in building 9
    shown = (await h.say(MANAGER, "/notices"))[-1]
    assert "还没有可以发送的住户" in shown.plain and "0/0" not in shown.plain
