"""The staff alert: one scannable message per ticket, edited in place as the ticket moves."""

from __future__ import annotations

from bot.core.actions import SendPhoto
from tests.tickets.conftest import STAFF_A, Desk


async def test_alert_shows_severity_intent_place_phone_words_time_number_and_buttons(
    desk: Desk,
) -> None:
    ticket = await desk.open(description="厨房有煤气味 <很浓> & 头晕")
    alert = desk.alert(ticket.id)
    first = alert.plain.splitlines()[0]
    assert first.startswith("🔴") and "燃气泄漏" in first and f"#{ticket.id}" in first
    assert "gas_leak" not in alert.plain  # names, not ids
    assert "3栋 1202室" in alert.plain
    assert "13812345678" in alert.plain
    assert "厨房有煤气味 <很浓> & 头晕" in alert.plain  # the resident's own words...
    assert "&lt;很浓&gt; &amp; 头晕" in alert.text  # ...escaped in the HTML
    assert "11-21 18:00" in alert.plain  # 10:00 UTC in Asia/Shanghai
    assert "王女士" in alert.plain
    assert alert.button_texts == ["🙋 接单", "🚶 已到场", "✅ 已解决", "📝 备注", "🗂 结单…"]
    assert alert.button_data == [
        f"tk:claim:{ticket.id}",
        f"tk:onsite:{ticket.id}",
        f"tk:resolve:{ticket.id}",
        f"tk:note:{ticket.id}",
        f"tk:close:{ticket.id}",
    ]
    assert alert.chat_id == desk.group


async def test_severity_marks_differ(desk: Desk) -> None:
    urgent = await desk.open("power_outage", "urgent", description="停电了")
    normal = await desk.open(
        "repair", "normal", description="水龙头坏了", chat_id="2001", user_id="2001"
    )
    assert desk.alert(urgent.id).plain.startswith("🟠") and "停电" in desk.alert(urgent.id).plain
    assert desk.alert(normal.id).plain.startswith("🔵") and "报修" in desk.alert(normal.id).plain


async def test_incomplete_ticket_says_what_is_missing(desk: Desk) -> None:
    ticket = await desk.open(
        building=None, room=None, phone=None, extra={"incomplete": True, "reason": "idle"}
    )
    plain = desk.alert(ticket.id).plain
    assert "信息不全" in plain and "楼栋房号" in plain and "电话" in plain
    assert "位置未知" in plain and "未留电话" in plain


async def test_incomplete_uses_the_flows_list_and_free_place_and_location(desk: Desk) -> None:
    ticket = await desk.open(
        building=None,
        room=None,
        phone=None,
        extra={
            "incomplete": True,
            "missing": ["phone"],
            "place": "地下车库B2",
            "location": {"latitude": 22.5, "longitude": 114.1},
            "unconfirmed": True,
        },
    )
    plain = desk.alert(ticket.id).plain
    assert "缺电话" in plain and "楼栋房号" not in plain
    assert "📍 地下车库B2" in plain
    assert "22.5, 114.1" in plain
    assert "没有确认" in plain


async def test_the_residents_words_for_the_place_follow_the_building(desk: Desk) -> None:
    ticket = await desk.open("elevator_trapped", room=None, extra={"place": "电梯里"})
    assert "📍 3栋 电梯里" in desk.alert(ticket.id).plain


async def test_photos_of_the_report_follow_as_replies_to_the_alert(desk: Desk) -> None:
    ticket = await desk.open(photos=["PHOTO-1", "PHOTO-2"])
    alert = desk.alert(ticket.id)
    photos = [m for m in desk.h.chat(desk.group) if m.kind == "photo"]
    assert len(photos) == 2 and all(p.reply_to == alert.message_id for p in photos)
    sent = [a.photo for a, _ in desk.h.sender.log if isinstance(a, SendPhoto)]
    assert sent == ["PHOTO-1", "PHOTO-2"]
    assert "2 张照片" in alert.plain


async def test_alert_is_edited_in_place_with_who_acted(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    alert = desk.alert(ticket.id)
    assert alert.edits == 1
    assert "张师傅 接单" in alert.plain and "等待接单" not in alert.plain
    assert alert.button_texts == ["🚶 已到场", "✅ 已解决", "↩️ 退回", "📝 备注", "🗂 结单…"]
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_A, "张师傅")
    assert "张师傅 已到场" in desk.alert(ticket.id).plain
    assert desk.alert(ticket.id).button_texts == ["✅ 已解决", "↩️ 退回", "📝 备注", "🗂 结单…"]
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    alert = desk.alert(ticket.id)
    assert "张师傅 已解决" in alert.plain and alert.buttons is None
    assert len([m for m in desk.h.chat(desk.group) if "燃气泄漏" in m.plain.splitlines()[0]]) == 1
