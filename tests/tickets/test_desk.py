"""The staff desk (issue 13): teams, hand-over, closing with a reason, internal notes,
/open that helps, working-time deadlines, the duty roster and the shift digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.incoming import ChatKind, Incoming
from bot.storage.models import TicketStatus
from tests.support.recording_sender import Shown
from tests.tickets.conftest import OTHER_RESIDENT, RESIDENT, STAFF_A, STAFF_B, SUPERVISOR, Desk

SEC, ENG = "sec", "eng"  # the security and engineering team groups
TEAMS = """
teams:
  security:
    name: 安保
    chat_id: sec
    intents: [security, fire]
  engineering:
    name: 工程维修
    chat_id: eng
    intents: [repair, flooding]
people:
  张师傅: "501"
  李师傅: "502"
  赵师傅: "503"
"""

MakeDesk = Callable[..., Awaitable[Desk]]


def from_resident(text: str, chat: str = RESIDENT) -> Incoming:
    return Incoming(
        update_id="x", chat_id=chat, user_id=chat, chat_kind=ChatKind.PRIVATE, text=text
    )


@pytest.fixture
async def teams_desk(make_desk: MakeDesk, tmp_path: Path) -> Desk:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    return await make_desk(teams_file=teams)


def alerts_in(desk: Desk, chat: str, ticket_id: int) -> list[Shown]:
    return [m for m in desk.sent_with_ref(f"ticket:{ticket_id}:alert") if m.chat_id == chat]


def alert_in(desk: Desk, chat: str, ticket_id: int) -> Shown:
    (alert,) = alerts_in(desk, chat, ticket_id)
    return alert


async def press(
    desk: Desk, chat: str, data: str, who: str = STAFF_A, name: str = "张师傅"
) -> list[Shown]:
    return await desk.h.press(chat, data, user=who, name=name)


async def say(
    desk: Desk, chat: str, text: str, who: str = STAFF_A, name: str = "张师傅", **kw: Any
) -> list[Shown]:
    return await desk.h.say(chat, text, user=who, name=name, **kw)


# -- teams ---------------------------------------------------------------------------------
async def test_the_security_story_lands_unclaimed_reclaimed_reassigned_closed_false_alarm(
    teams_desk: Desk,
) -> None:
    desk = teams_desk
    ticket = await desk.open("security", "emergency", description="楼道里有人撬门")
    # lands in the security group (and, an emergency, in the main group too)
    assert "楼道里有人撬门" in alert_in(desk, SEC, ticket.id).plain
    assert "👥 安保" in alert_in(desk, SEC, ticket.id).plain
    assert alert_in(desk, desk.group, ticket.id).text == alert_in(desk, SEC, ticket.id).text
    assert alerts_in(desk, ENG, ticket.id) == []

    # claimed in the security group: both alerts change in place
    await press(desk, SEC, f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    assert "张师傅 接单" in alert_in(desk, desk.group, ticket.id).plain
    assert f"tk:unclaim:{ticket.id}" in alert_in(desk, SEC, ticket.id).button_data

    # given back: back to the pool, the claim reminders run again
    shown = await press(desk, SEC, f"tk:unclaim:{ticket.id}", STAFF_A, "张师傅")
    assert desk.last_answer() == f"#{ticket.id} 已退回待接单。"
    assert any("已由 张师傅 退回" in m.plain for m in shown)
    fresh = await desk.ticket(ticket.id)
    assert (fresh.status, fresh.claimed_by) == (TicketStatus.OPEN, None)
    assert f"tk:claim:{ticket.id}" in alert_in(desk, SEC, ticket.id).button_data
    reminded = await desk.h.tick(desk.app.settings.sla_claim_seconds_emergency)
    assert any("还没有人接单" in m.plain for m in reminded if m.chat_id == SEC)

    # reclaimed by a colleague, who hands it to 赵师傅 (told privately)
    await press(desk, SEC, f"tk:claim:{ticket.id}", STAFF_B, "李师傅")
    await say(desk, SEC, f"/assign {ticket.id} 赵师傅", STAFF_B, "李师傅")
    assert desk.h.last(SEC).plain == f"#{ticket.id} 已转给 赵师傅，已私信通知。"
    private = desk.h.last("503")
    assert "李师傅 把工单" in private.plain and "楼道里有人撬门" in private.plain
    assert private.button_data == [f"tk:onsite:{ticket.id}", f"tk:resolve:{ticket.id}"]
    assert (await desk.ticket(ticket.id)).claimed_by == "503"
    assert "李师傅 转给 赵师傅" in alert_in(desk, SEC, ticket.id).plain

    # closed as a false alarm from the 🗂 menu: the resident is told, no stars asked
    await press(desk, SEC, f"tk:close:{ticket.id}", "503", "赵师傅")
    menu = desk.h.last(SEC)
    assert menu.button_data == [
        f"tk:close:{ticket.id}:false_alarm",
        f"tk:close:{ticket.id}:unreachable",
        f"tk:close:{ticket.id}:cancelled",
    ]
    await press(desk, SEC, f"tk:close:{ticket.id}:false_alarm", "503", "赵师傅")
    assert desk.last_answer() == f"#{ticket.id} 已结单：误报。"
    fresh = await desk.ticket(ticket.id)
    assert (fresh.status, fresh.close_reason) == (TicketStatus.CLOSED, "false_alarm")
    told = desk.h.last(RESIDENT)
    assert "没有发现异常" in told.plain and told.buttons is None
    assert not any(
        "tk:rate" in d or "tk:fixed" in d for m in desk.h.chat(RESIDENT) for d in m.button_data
    )
    assert "赵师傅 结单：误报" in alert_in(desk, SEC, ticket.id).plain
    assert alert_in(desk, SEC, ticket.id).buttons is None

    timeline = (await say(desk, SEC, f"/ticket {ticket.id}"))[0].plain
    for step in (
        "张师傅：接单",
        "张师傅：退回",
        "李师傅：接单",
        "李师傅：转给 赵师傅",
        "赵师傅：结单：误报",
    ):
        assert step in timeline


async def test_a_team_ticket_stays_in_its_group_until_left_unclaimed_past_its_deadline(
    teams_desk: Desk,
) -> None:
    desk = teams_desk
    ticket = await desk.open("repair", "normal", description="水龙头坏了")
    assert len(alerts_in(desk, ENG, ticket.id)) == 1
    assert alerts_in(desk, desk.group, ticket.id) == []
    assert alerts_in(desk, SEC, ticket.id) == []
    await desk.h.tick(desk.app.settings.sla_claim_seconds_normal)
    main = alert_in(desk, desk.group, ticket.id)
    assert "水龙头坏了" in main.plain and f"tk:claim:{ticket.id}" in main.button_data
    assert any("工程维修组超过时限还没有人接单" in m.plain for m in desk.h.chat(desk.group))
    # claimed from the main group: the team's alert follows
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    assert "张师傅 接单" in alert_in(desk, ENG, ticket.id).plain


async def test_a_resident_message_reaches_every_group_showing_the_ticket(teams_desk: Desk) -> None:
    desk = teams_desk
    ticket = await desk.open("security", "emergency")
    await desk.app.tickets.relay_from_resident(ticket, from_resident("他还在门口"))
    await desk.app.outbox.drain()
    assert any("他还在门口" in m.plain for m in desk.h.chat(SEC))
    assert any("他还在门口" in m.plain for m in desk.h.chat(desk.group))
    assert ticket.team == "security"


async def test_commands_work_in_a_team_group(teams_desk: Desk) -> None:
    desk = teams_desk
    await desk.open("repair", "normal", description="灯坏了")
    await desk.open("security", "emergency", chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    (shown,) = await say(desk, ENG, "/open")
    assert "灯坏了" not in shown.plain  # the list shows intents, places, states
    assert "报修" in shown.plain and "治安求助" not in shown.plain  # the team's own tickets
    (main,) = await desk.h.say(desk.group, "/open", user=STAFF_A)
    assert "报修" in main.plain and "治安求助" in main.plain


# -- hand-over ------------------------------------------------------------------------------
async def test_a_supervisor_claims_on_someones_behalf(teams_desk: Desk) -> None:
    desk = teams_desk
    ticket = await desk.open("repair", "normal")
    await say(desk, ENG, f"/assign {ticket.id} 李师傅", SUPERVISOR, "王主管")
    fresh = await desk.ticket(ticket.id)
    assert (fresh.status, fresh.claimed_by, fresh.claimed_by_name) == ("claimed", "502", "李师傅")
    assert any("工作人员已接单" in m.plain for m in desk.h.chat(RESIDENT))
    assert "王主管 把工单" in desk.h.last("502").plain
    events = await desk.app.tickets.events(ticket.id)
    assigned = next(e for e in events if e.kind == "assigned")
    assert assigned.actor_name == "王主管" and assigned.data["on_behalf"] is True
    # the claim reminders stopped
    before = len(desk.h.chat(ENG))
    await desk.h.tick(desk.app.settings.sla_claim_seconds_normal * 2)
    assert not any("还没有人接单" in m.plain for m in desk.h.chat(ENG)[before:])


async def test_only_the_claimer_or_a_supervisor_hands_over(teams_desk: Desk) -> None:
    desk = teams_desk
    ticket = await desk.open("repair", "normal")
    await say(desk, ENG, f"/assign {ticket.id} 李师傅", STAFF_A)
    assert "只有接单人或主管可以转派" in desk.h.last(ENG).plain
    await press(desk, ENG, f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await press(desk, ENG, f"tk:unclaim:{ticket.id}", STAFF_B, "李师傅")
    assert "只有本人或主管可以退回" in desk.last_answer()
    await say(desk, ENG, f"/assign {ticket.id} 老刘", STAFF_A)
    assert "不认识“老刘”" in desk.h.last(ENG).plain and "李师傅" in desk.h.last(ENG).plain
    await say(desk, ENG, f"/unclaim {ticket.id}", SUPERVISOR, "王主管")
    assert (await desk.ticket(ticket.id)).status == TicketStatus.OPEN


async def test_assign_as_a_reply_needs_no_number(teams_desk: Desk) -> None:
    desk = teams_desk
    ticket = await desk.open("repair", "normal")
    await press(desk, ENG, f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await say(desk, ENG, "/assign 李师傅", reply_to=alert_in(desk, ENG, ticket.id).message_id)
    assert (await desk.ticket(ticket.id)).claimed_by == "502"


# -- closing --------------------------------------------------------------------------------
async def test_a_duplicate_is_merged_and_its_resident_follows_the_other_ticket(desk: Desk) -> None:
    kept = await desk.open()
    dup = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT, user_name="李先生")
    await desk.h.say(desk.group, f"/dup {dup.id} {kept.id}", user=STAFF_A, name="张师傅")
    fresh = await desk.ticket(dup.id)
    assert (fresh.status, fresh.close_reason, fresh.merged_into) == ("closed", "duplicate", kept.id)
    told = desk.h.last(OTHER_RESIDENT).plain
    assert f"工单 #{kept.id} 是同一件事" in told
    assert any(f"已合并到 #{kept.id}" in m.plain for m in desk.h.chat(desk.group))
    # their new words go to the surviving ticket
    following = await desk.app.tickets.active_ticket_for(OTHER_RESIDENT)
    assert following is not None and following.id == kept.id
    await desk.app.tickets.relay_from_resident(
        following, from_resident("味道更浓了", chat=OTHER_RESIDENT)
    )
    await desk.app.outbox.drain()
    assert desk.h.last(desk.group).plain.startswith(f"💬 #{kept.id} 住户：味道更浓了")
    # and they hear of its progress
    await desk.staff(f"tk:claim:{kept.id}", STAFF_A)
    assert "工作人员已接单" in desk.h.last(OTHER_RESIDENT).plain
    await desk.h.say(desk.group, f"/dup {kept.id} {kept.id}", user=STAFF_A)
    assert "不能把" in desk.h.last(desk.group).plain


async def test_unreachable_and_cancelled_close_without_a_rating(desk: Desk) -> None:
    first = await desk.open("repair", "normal")
    second = await desk.open("repair", "normal", chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    await desk.staff(f"tk:close:{first.id}:unreachable")
    await desk.staff(f"tk:close:{second.id}:cancelled")
    assert (await desk.ticket(first.id)).close_reason == "unreachable"
    assert (await desk.ticket(second.id)).status == TicketStatus.CANCELLED
    assert "联系不上您" in desk.h.last(RESIDENT).plain
    assert "已取消" in desk.h.last(OTHER_RESIDENT).plain
    await desk.staff(f"tk:close:{first.id}:false_alarm")
    assert "这个按钮已不适用" in desk.last_answer()


async def test_resolve_with_a_note_and_a_photo(desk: Desk) -> None:
    from bot.core.incoming import Attachment, AttachmentKind

    ticket = await desk.open("repair", "normal")
    await desk.h.say(
        desk.group,
        f"/resolve {ticket.id} 换了新的阀门",
        user=STAFF_A,
        name="张师傅",
        attachment=Attachment(AttachmentKind.PHOTO, file_id="PHOTO-FIX"),
    )
    resident = desk.h.chat(RESIDENT)
    assert "换了新的阀门" in resident[-2].plain and resident[-2].kind == "photo"
    assert resident[-1].button_data == [f"tk:fixed:{ticket.id}:yes", f"tk:fixed:{ticket.id}:no"]
    fresh = await desk.ticket(ticket.id)
    assert (fresh.status, fresh.close_reason) == ("resolved", "resolved")
    # "resolved" asks for stars once confirmed
    await desk.h.press(RESIDENT, f"tk:fixed:{ticket.id}:yes")
    assert any("tk:rate" in d for d in desk.h.last(RESIDENT).button_data)


async def test_a_paid_repair_waits_for_the_residents_yes(desk: Desk) -> None:
    ticket = await desk.open("repair", "normal")
    await desk.staff(f"tk:claim:{ticket.id}")
    await desk.h.say(desk.group, f"/quote {ticket.id} 180 更换水龙头", user=STAFF_A)
    quote = desk.h.last(RESIDENT)
    assert "¥180.00" in quote.plain and "更换水龙头" in quote.plain
    assert quote.button_data == [f"tk:quote:{ticket.id}:yes", f"tk:quote:{ticket.id}:no"]
    await desk.staff(f"tk:onsite:{ticket.id}")
    assert "还没有同意" in desk.last_answer()
    await desk.h.press(OTHER_RESIDENT, f"tk:quote:{ticket.id}:yes", message_id=quote.message_id)
    assert (await desk.ticket(ticket.id)).extra["quote"]["state"] == "pending"  # not theirs
    await desk.h.press(RESIDENT, f"tk:quote:{ticket.id}:yes")
    assert (await desk.ticket(ticket.id)).extra["quote"]["state"] == "accepted"
    assert any("住户同意有偿维修 ¥180.00" in m.plain for m in desk.h.chat(desk.group))
    await desk.staff(f"tk:onsite:{ticket.id}")
    assert (await desk.ticket(ticket.id)).status == TicketStatus.ON_SITE


# -- internal notes -------------------------------------------------------------------------
async def test_internal_notes_are_never_relayed(desk: Desk) -> None:
    ticket = await desk.open()
    before = len(desk.h.chat(RESIDENT))
    alert = desk.alert(ticket.id).message_id
    await desk.h.say(desk.group, "// 住户家里有大狗", user=STAFF_A, name="张师傅", reply_to=alert)
    assert "内部备注" in desk.h.last(desk.group).plain
    await desk.h.say(desk.group, "#内部 物业费欠缴", user=STAFF_A, name="张师傅", reply_to=alert)
    await desk.h.say(desk.group, f"/note {ticket.id} 钥匙在保安亭", user=STAFF_A, name="张师傅")
    await desk.staff(f"tk:note:{ticket.id}", STAFF_B, "李师傅")  # the 📝 button
    prompt = desk.h.last(desk.group)
    assert "回复这条消息写下备注" in prompt.plain
    await desk.h.say(
        desk.group, "楼下有车位", user=STAFF_B, name="李师傅", reply_to=prompt.message_id
    )
    assert len(desk.h.chat(RESIDENT)) == before
    (shown,) = await desk.h.say(desk.group, f"/ticket {ticket.id}", user=STAFF_A)
    assert "李师傅：内部备注：“楼下有车位”" in shown.plain
    for words in ("住户家里有大狗", "物业费欠缴", "钥匙在保安亭"):
        assert f"张师傅：内部备注：“{words}”" in shown.plain


# -- /open ----------------------------------------------------------------------------------
async def test_open_filters_and_overdue_marks(desk: Desk) -> None:
    repair = await desk.open("repair", "normal", building="5", description="灯坏了")
    gas = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    await desk.staff(f"tk:claim:{gas.id}", STAFF_A, "张师傅")
    await desk.h.tick(2 * 3600)  # the emergency's 1-hour deadline has passed
    (shown,) = await desk.h.say(desk.group, "/open", user=STAFF_A)
    lines = shown.plain.splitlines()
    assert lines[1].startswith(f"🔴 #{gas.id}") and "⏰超时" in lines[1]
    assert lines[2].startswith(f"🔵 #{repair.id}") and "⏰" not in lines[2]
    mine = (await desk.h.say(desk.group, "/open mine", user=STAFF_A))[0].plain
    assert f"#{gas.id}" in mine and f"#{repair.id}" not in mine
    theirs = (await desk.h.say(desk.group, "/open mine", user=STAFF_B))[0].plain
    assert theirs == "没有符合条件的未完成工单。"
    urgent = (await desk.h.say(desk.group, "/open 紧急", user=STAFF_A))[0].plain
    assert f"#{gas.id}" in urgent and f"#{repair.id}" not in urgent
    building = (await desk.h.say(desk.group, "/open 5栋", user=STAFF_A))[0].plain
    assert f"#{repair.id}" in building and f"#{gas.id}" not in building
    overdue = (await desk.h.say(desk.group, "/open 超时", user=STAFF_A))[0].plain
    assert f"#{gas.id}" in overdue and f"#{repair.id}" not in overdue


# -- deadlines ------------------------------------------------------------------------------
async def test_a_repair_on_friday_1755_before_a_holiday_is_due_after_it(
    make_desk: MakeDesk,
) -> None:
    # Friday 2026-04-03 17:55 in Shanghai; Saturday to Monday is the Qingming holiday
    desk = await make_desk()
    desk.h.clock.set(datetime(2026, 4, 3, 9, 55, tzinfo=UTC))
    repair = await desk.open("repair", "normal", description="水管漏水")
    gas = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    assert (await desk.ticket(repair.id)).due_at == datetime(2026, 4, 7, 9, 55, tzinfo=UTC)
    assert (await desk.ticket(gas.id)).due_at == datetime(2026, 4, 3, 10, 55, tzinfo=UTC)
    assert "处理时限：04-07 17:55" in desk.alert(repair.id).plain
    # over the holiday it is not overdue; after its deadline it is
    await desk.h.tick(3 * 86400)
    assert not any(
        "已超过处理时限" in m.plain and f"#{repair.id}" in m.plain for m in desk.h.chat(desk.group)
    )
    await desk.h.tick(86400 + 60)
    assert any(f"#{repair.id} 已超过处理时限" in m.plain for m in desk.h.chat(desk.group))
    assert "已超时" in desk.alert(repair.id).plain


# -- duty roster ----------------------------------------------------------------------------
async def test_night_reminders_go_to_the_people_on_duty_first(
    make_desk: MakeDesk, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        'shifts:\n  - {name: 夜班, from: "18:00", to: "09:00", people: ["701"]}\n'
        '  - {name: 白班, from: "09:00", to: "18:00", people: ["702"]}\n',
        encoding="utf-8",
    )
    desk = await make_desk(duty_roster_file=roster, staff_ids=["601", "701", "702"])
    ticket = await desk.open()  # 18:00 in Shanghai: the night shift
    await desk.h.tick(desk.app.settings.sla_claim_seconds_emergency)
    on_duty = desk.h.chat("701")
    assert len(on_duty) == 1 and "您在值班" in on_duty[0].plain
    assert on_duty[0].button_data == [f"tk:claim:{ticket.id}"]
    assert desk.h.chat("702") == []
    await desk.h.press("701", f"tk:claim:{ticket.id}", user="701", name="夜班小王")
    assert (await desk.ticket(ticket.id)).claimed_by == "701"


# -- the shift digest -----------------------------------------------------------------------
async def test_the_digest_arrives_at_its_time_with_the_right_counts(
    make_desk: MakeDesk, tmp_path: Path
) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    desk = await make_desk(teams_file=teams, digest_times="20:00")  # the clock: 18:00
    waiting = await desk.open("repair", "normal", description="灯坏了")
    claimed = await desk.open("repair", "normal", chat_id="2001", user_id="2001")
    await press(desk, ENG, f"tk:claim:{claimed.id}", STAFF_A)
    gas = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)  # no team
    await desk.staff(f"tk:resolve:{gas.id}")  # an emergency: an incident report is due
    await desk.h.tick(3600)
    assert not any("交接班" in m.plain for m in desk.h.chat(ENG))
    shown = await desk.h.tick(3600)
    (eng,) = [m for m in shown if m.chat_id == ENG and "交接班" in m.plain]
    assert "交接班 · 工程维修" in eng.plain
    assert "未完成：2 张" in eng.plain and "待接单：1 张" in eng.plain
    assert "已接单未到场：1 张" in eng.plain and "事件报告待交：0 份" in eng.plain
    assert "已超时：0 张" in eng.plain
    (main,) = [m for m in shown if m.chat_id == desk.group and "交接班" in m.plain]
    assert "未完成：2 张" in main.plain and "事件报告待交：1 份" in main.plain
    (sec,) = [m for m in shown if m.chat_id == SEC and "交接班" in m.plain]
    assert "未完成：0 张" in sec.plain
    assert eng.button_data == ["desk:open", "desk:open:overdue"]
    # its button lists the team's tickets; the next one comes tomorrow at 20:00
    listing = await press(desk, ENG, "desk:open")
    assert any(f"#{waiting.id}" in m.plain for m in listing)
    later = await desk.h.tick(86400)
    assert len([m for m in later if m.chat_id == ENG and "交接班" in m.plain]) == 1
    (now,) = await say(desk, ENG, "/digest")
    assert "交接班 · 工程维修" in now.plain


# -- managers' numbers ----------------------------------------------------------------------
async def test_close_reasons_in_stats_and_the_export(desk: Desk) -> None:
    import csv
    import io

    from bot.core.actions import SendDocument
    from tests.tickets.conftest import MANAGER

    first = await desk.open("repair", "normal")
    second = await desk.open("repair", "normal", chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    third = await desk.open("repair", "normal", chat_id="2003", user_id="2003")
    await desk.staff(f"tk:close:{first.id}:false_alarm")
    await desk.h.say(desk.group, f"/dup {second.id} {third.id}", user=STAFF_A)
    shown = await desk.h.say(MANAGER, "/stats")
    text = next(m.plain for m in shown if "统计" in m.plain)
    assert "本周结单原因：" in text and "误报 1" in text and "重复报告 1" in text
    await desk.h.say(MANAGER, "/export")
    doc = next(a for a, _ in desk.h.sender.log if isinstance(a, SendDocument))
    rows = list(csv.reader(io.StringIO(doc.content.decode("utf-8-sig"))))
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id[str(first.id)]["结单原因"] == "误报"
    assert by_id[str(second.id)]["结单原因"] == f"重复报告 #{third.id}"
    assert by_id[str(third.id)]["处理时限"] != ""


async def test_a_team_group_that_refuses_the_bot_is_retried_and_supervisors_told(
    teams_desk: Desk,
) -> None:
    from bot.core.errors import Blocked
    from tests.tickets.conftest import MANAGER

    refusal = Blocked("Forbidden: bot was kicked from the supergroup chat")
    teams_desk.h.sender.fail_for[ENG] = [refusal, refusal]
    ticket = await teams_desk.open("repair", "normal", description="水龙头坏了")
    for person in (SUPERVISOR, MANAGER):
        told = teams_desk.h.chat(person)
        assert len(told) == 1 and "水龙头坏了" in told[0].plain
    await teams_desk.h.tick(2)  # the retry fails again: nobody is told twice
    assert [len(teams_desk.h.chat(p)) for p in (SUPERVISOR, MANAGER)] == [1, 1]
    await teams_desk.h.tick(10)  # the bot is back in the group: the alert arrives
    assert "水龙头坏了" in alert_in(teams_desk, ENG, ticket.id).plain

