"""Issue 16's Done-when for estates: two estates with their own groups, buildings and FAQ
run in one bot; a resident bound by a QR link to estate B reports a flood, and only estate
B's staff see it; estate A's group cannot claim it (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from bot.storage.models import TicketStatus
from tests.estates.conftest import COMPANY, GROUP_A, GROUP_B, qr_payload
from tests.support.harness import Harness


def _texts(shown: list[Any]) -> str:
    return "\n".join(m.plain for m in shown)


async def _bind_by_qr(h: Harness, chat: str, estate: int, building: str, room: str) -> None:
    text = _texts(await h.say(chat, f"/start {qr_payload(h, estate, building, room)}"))
    assert "明月小区" in text and f"{building}栋{room}" in text and "现在登记吗" in text
    await h.press(chat, "flow:consent:yes")
    assert "电话" in h.last(chat).plain
    done = _texts(await h.say(chat, "13812345678"))
    assert "已保存" in done


async def test_a_flood_in_estate_b_reaches_only_estate_bs_group(estates_h: Harness) -> None:
    h = estates_h
    await _bind_by_qr(h, "3001", 2, "3", "1202")
    profile = await h.app.profiles.get("3001")
    assert profile is not None and profile.estate_id == 2
    assert (profile.building, profile.room) == ("3", "1202")

    shown = await h.say("3001", "家里水管爆了，水漫到客厅了")
    first = shown[0].plain
    assert "电闸" in first or "总阀" in first or "水" in first  # the life-saving line first
    for _ in range(4):  # answer what is asked (offered place, phone) until the ticket opens
        if h.chat(GROUP_B):
            break
        last = h.last("3001")
        if last.button_data:
            await h.press("3001", last.button_data[0])
        else:
            await h.say("3001", "13812345678")
    alerts_b = h.chat(GROUP_B)
    assert alerts_b, "estate B's group got the alert"
    alert = alerts_b[0]
    assert "3栋 1202室" in alert.plain
    ticket_id = int(alert.plain.split("#")[1].split()[0].strip("）)· "))
    ticket = await h.app.tickets.get(ticket_id)
    assert ticket is not None and ticket.estate_id == 2 and ticket.intent == "flooding"
    assert h.chat(GROUP_A) == [] and h.chat(COMPANY) == []  # nobody else sees it

    # estate A's group cannot claim it, nor read it, nor close it
    await h.press(GROUP_A, f"tk:claim:{ticket_id}", user="501", message_id=alert.message_id)
    assert "其他小区" in h.sender.answers[-1].text
    still = await h.app.tickets.get(ticket_id)
    assert still is not None and still.status == TicketStatus.OPEN and still.claimed_by is None
    said = _texts(await h.say(GROUP_A, f"/ticket {ticket_id}", user="501"))
    assert f"找不到工单 #{ticket_id}" in said and "1202" not in said
    assert "1202" not in _texts(await h.say(GROUP_A, "/open", user="501"))

    # estate B's group can
    await h.press(GROUP_B, f"tk:claim:{ticket_id}", user="601", name="赵师傅")
    claimed = await h.app.tickets.get(ticket_id)
    assert claimed is not None and claimed.status == TicketStatus.CLAIMED
    assert claimed.claimed_by == "601"
    assert "3栋" in _texts(await h.say(GROUP_B, "/open", user="601"))
    # the claimed emergency's on-site reminder goes to B's group too, never to A's
    seen_a, seen_b = len(h.chat(GROUP_A)), len(h.chat(GROUP_B))
    await h.tick(h.app.settings.onsite_reminder_seconds + 1)
    assert len(h.chat(GROUP_A)) == seen_a and len(h.chat(GROUP_B)) > seen_b
