"""Staff commands: /open, /ticket N, /report N (see test_reports), /whereami, /help."""

from __future__ import annotations

from bot.core.incoming import ChatKind, Incoming
from tests.tickets.conftest import RESIDENT, STAFF_A, Desk


async def test_open_lists_emergencies_first_then_by_deadline_with_age(desk: Desk) -> None:
    assert "没有未完成的工单" in (await desk.h.say(desk.group, "/open", user=STAFF_A))[0].plain
    first = await desk.open(
        "repair", "normal", description="灯坏了", chat_id="2001", user_id="2001"
    )
    await desk.h.tick(3 * 3600 + 5 * 60)
    second = await desk.open()
    await desk.staff(f"tk:claim:{second.id}", STAFF_A, "张师傅")
    await desk.h.tick(10 * 60)
    done = await desk.open("complaint", "normal", chat_id="2002", user_id="2002")
    await desk.staff(f"tk:resolve:{done.id}", STAFF_A)
    (shown,) = await desk.h.say(desk.group, "/open", user=STAFF_A)
    lines = shown.plain.splitlines()
    assert "未完成工单 2 张" in lines[0]
    assert (
        lines[2].startswith(f"🔵 #{first.id} 报修")
        and "待接单" in lines[2]
        and "已 3小时15分" in lines[2]
    )
    assert (
        lines[1].startswith(f"🔴 #{second.id} 燃气泄漏")
        and "已接单：张师傅" in lines[1]
        and "已 10分钟" in lines[1]
    )
    assert f"#{done.id}" not in shown.plain


async def test_ticket_shows_the_timeline(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.tick(60)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.say(
        desk.group, "马上到", user=STAFF_A, name="张师傅", reply_to=desk.alert(ticket.id).message_id
    )
    (shown,) = await desk.h.say(desk.group, f"/ticket #{ticket.id}", user=STAFF_A)
    text = shown.plain
    assert "状态：已接单" in text
    assert "11-21 18:00 住户：报告：“厨房有煤气味”" in text
    assert "11-21 18:01 张师傅：接单" in text
    assert "11-21 18:01 张师傅：回复住户：“马上到”" in text


async def test_ticket_as_a_reply_to_its_message_needs_no_number(desk: Desk) -> None:
    ticket = await desk.open()
    (shown,) = await desk.h.say(
        desk.group, "/ticket", user=STAFF_A, reply_to=desk.alert(ticket.id).message_id
    )
    assert f"工单 #{ticket.id}" in shown.plain and "经过" in shown.plain
    assert len(desk.h.chat(RESIDENT)) == 0  # a command is not relayed


async def test_ticket_usage_and_unknown_number(desk: Desk) -> None:
    (usage,) = await desk.h.say(desk.group, "/ticket", user=STAFF_A)
    assert "用法：/ticket 编号" in usage.plain
    (missing,) = await desk.h.say(desk.group, "/ticket 77", user=STAFF_A)
    assert "找不到工单 #77" in missing.plain
    (usage,) = await desk.h.say(desk.group, "/report abc", user=STAFF_A)
    assert "用法：/report 编号" in usage.plain


async def test_whereami_anywhere(desk: Desk) -> None:
    (shown,) = await desk.h.say(desk.group, "/whereami", user=STAFF_A)
    assert f"chat id：{desk.group}" in shown.plain
    (shown,) = await desk.h.say("-100777", "/whereami@helpline_bot", user=STAFF_A, group=True)
    assert "-100777" in shown.plain and shown.chat_id == "-100777"
    (shown,) = await desk.h.say(STAFF_A, "/whereami", user=STAFF_A)
    assert STAFF_A in shown.plain


async def test_help_lists_the_commands(desk: Desk) -> None:
    (shown,) = await desk.h.say(desk.group, "/help", user=STAFF_A)
    for command in ("/open", "/ticket", "/report", "/whereami"):
        assert command in shown.plain


async def test_the_staff_handler_leaves_other_things_to_other_handlers(desk: Desk) -> None:
    staff = desk.app.router.handlers[0]

    def incoming(**kw: object) -> Incoming:
        base: dict[str, object] = {
            "update_id": "1",
            "chat_id": desk.group,
            "user_id": STAFF_A,
            "chat_kind": ChatKind.GROUP,
        }
        return Incoming(**{**base, **kw})  # type: ignore[arg-type]

    assert await staff.accepts(incoming(text="/open"))
    assert await staff.accepts(incoming(text="今天谁值班"))
    assert await staff.accepts(incoming(button_data="tk:claim:1"))
    assert not await staff.accepts(incoming(button_data="nt:publish:1"))  # notices' buttons
    assert not await staff.accepts(incoming(text="/stats"))  # someone else's command
    private = {"chat_id": RESIDENT, "user_id": RESIDENT, "chat_kind": ChatKind.PRIVATE}
    assert await staff.accepts(incoming(button_data="tk:fixed:1:yes", **private))
    assert await staff.accepts(incoming(text="/whereami", **private))
    assert not await staff.accepts(incoming(text="厨房有煤气味", **private))
    assert not await staff.accepts(incoming(button_data="flow:yes", **private))
