"""Piece 4 of estates as data: notices, outage clusters, /stats, /export and the dashboard
per estate. An estate's managers see their estate; company-level managers (MANAGER_IDS) see
every estate, and /stats compares them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from bot.core.actions import SendDocument
from bot.dashboard.auth import Viewer
from bot.dashboard.data import DashboardData
from bot.tickets import TicketDraft
from tests.estates.conftest import COMPANY_MANAGER, GROUP_A, GROUP_B, MANAGER_A, two_estates
from tests.support.harness import Harness


def _texts(shown: list[Any]) -> str:
    return "\n".join(m.plain for m in shown)


@pytest.fixture
async def h(database_url: str, classifier: Any, tmp_path: Path) -> Any:
    harness = await two_estates(database_url, classifier, tmp_path)
    try:
        yield harness
    finally:
        await harness.close()


async def _resident(h: Harness, user: str, estate: int, building: str) -> None:
    await h.app.profiles.set_estate(user, user, estate)
    await h.app.profiles.remember(user, user, building=building, room="101", phone="13800000000")


async def _ticket(h: Harness, estate: int, user: str, building: str = "1") -> int:
    ticket = await h.app.tickets.open_ticket(
        TicketDraft(chat_id=user, user_id=user, intent="repair", severity="normal",
                    description="水龙头坏了", building=building, room="101", estate_id=estate)
    )
    await h.app.outbox.drain()
    return ticket.id


async def test_an_estates_notice_reaches_its_residents_only(h: Harness) -> None:
    await _resident(h, "6001", 1, "1")  # 阳光花园 1栋
    await _resident(h, "6002", 2, "1")  # 明月小区, also a "1栋"
    shown = _texts(await h.say(MANAGER_A, "/notice 停水 1栋 现在 管道维修"))
    assert "哪个小区" not in shown  # one estate: no question
    for _ in range(4):  # answer what is left with the first button, then publish
        last = h.last(MANAGER_A)
        if "nt:ok" in last.button_data:
            break
        await h.press(MANAGER_A, last.button_data[0], user=MANAGER_A)
    await h.press(MANAGER_A, "nt:ok", user=MANAGER_A)
    assert any("停水" in m.plain for m in h.chat("6001"))
    assert not any("停水" in m.plain for m in h.chat("6002"))
    (notice,) = await h.app.notices.current()
    assert notice.estate_id == 1
    # the other estate's residents are not answered from it, and its channel is not used
    other = await h.app.notices.answer_outage(
        chat_id="6002", user_id="6002", user_name="", intent="water_outage", building="1",
        text="停水了", locale="zh", estate_id=2,
    )
    assert other is None
    mine = await h.app.notices.answer_outage(
        chat_id="6001", user_id="6001", user_name="", intent="water_outage", building="1",
        text="停水了", locale="zh", estate_id=1,
    )
    assert mine is not None and "停水" in mine
    assert not h.chat("@mingyue_notices")


async def test_a_company_manager_chooses_the_estate_first(h: Harness) -> None:
    await _resident(h, "6003", 2, "3")
    await h.say(COMPANY_MANAGER, "/notice 停电 3栋 现在 线路检修")
    ask = h.last(COMPANY_MANAGER)
    assert "哪个小区" in ask.plain and ask.button_texts[:2] == ["阳光花园", "明月小区"]
    await h.press(COMPANY_MANAGER, "nt:es:2", user=COMPANY_MANAGER)
    for _ in range(4):
        last = h.last(COMPANY_MANAGER)
        if "nt:ok" in last.button_data:
            break
        await h.press(COMPANY_MANAGER, last.button_data[0], user=COMPANY_MANAGER)
    await h.press(COMPANY_MANAGER, "nt:ok", user=COMPANY_MANAGER)
    (notice,) = await h.app.notices.current()
    assert notice.estate_id == 2
    assert any("停电" in m.plain for m in h.chat("6003"))
    assert h.chat("@mingyue_notices")  # estate 2's channel
    # estate A's manager neither lists nor closes it
    assert f"#{notice.id}" not in _texts(await h.say(MANAGER_A, "/notices"))
    said = _texts(await h.say(MANAGER_A, f"/restored {notice.id}"))
    assert f"没有编号为 #{notice.id} 的通知" in said


async def test_outage_reports_cluster_per_estate(h: Harness) -> None:
    threshold = h.app.settings.outage_cluster_threshold
    for n in range(threshold - 1):  # almost a cluster in estate 1's 1栋
        await h.app.notices.answer_outage(
            chat_id=f"71{n}", user_id=f"71{n}", user_name="", intent="water_outage",
            building="1", text="停水", locale="zh", estate_id=1)
    # the same building number in estate 2 does not complete it
    said = await h.app.notices.answer_outage(
        chat_id="7299", user_id="7299", user_name="", intent="water_outage", building="1",
        text="停水", locale="zh", estate_id=2)
    assert said is None
    said = await h.app.notices.answer_outage(
        chat_id="7199", user_id="7199", user_name="", intent="water_outage", building="1",
        text="停水", locale="zh", estate_id=1)
    await h.app.outbox.drain()
    assert said is not None  # estate 1's cluster formed
    (ticket,) = await h.app.tickets.active_tickets()
    assert ticket.estate_id == 1
    assert h.chat(GROUP_A) and not h.chat(GROUP_B)
    assert h.chat(MANAGER_A) and not h.chat(COMPANY_MANAGER)  # the estate's manager is offered


async def test_stats_and_export_per_estate_and_compared(h: Harness) -> None:
    for n in range(3):
        await _ticket(h, 1, f"80{n}")
    await _ticket(h, 2, "810", building="3")
    mine = _texts(await h.say(MANAGER_A, "/stats"))
    assert "阳光花园" in mine and "本周 3" in mine and "各小区对比" not in mine
    company = _texts(await h.say(COMPANY_MANAGER, "/stats"))
    assert "本周 4" in company and "各小区对比" in company
    assert "阳光花园：3" in company and "明月小区：1" in company

    def csv_rows(user: str) -> list[list[str]]:
        docs = [a for a, _ in h.sender.log if isinstance(a, SendDocument) and a.chat_id == user]
        text = docs[-1].content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    await h.say(MANAGER_A, "/export")
    rows = csv_rows(MANAGER_A)
    assert rows[0][-1] == "小区" and len(rows) == 4 and {r[-1] for r in rows[1:]} == {"阳光花园"}
    await h.say(COMPANY_MANAGER, "/export")
    assert len(csv_rows(COMPANY_MANAGER)) == 5


async def test_the_dashboard_shows_an_estates_manager_their_estate(h: Harness) -> None:
    a = await _ticket(h, 1, "820")
    b = await _ticket(h, 2, "821", building="3")
    data = DashboardData(h.app)
    estate_manager = Viewer(MANAGER_A, "manager")
    company_manager = Viewer(COMPANY_MANAGER, "manager")
    assert [t.id for t in await data.open_tickets(estate_manager)] == [a]
    assert {t.id for t in await data.open_tickets(company_manager)} == {a, b}
    today = data.today()
    assert (await data.period(today, today, data.scope(estate_manager))).tickets == 1
    assert (await data.period(today, today, data.scope(company_manager))).tickets == 2
    assert h.app.roles.is_manager(MANAGER_A)
