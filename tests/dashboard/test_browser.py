"""The dashboard in a real browser (headless Chromium through Playwright): sign in through a
signed link, watch a new emergency appear on the board within 2 seconds without reloading,
open the ticket, download the XLSX and read it back; a forged link and tampered Mini App
initData are refused, valid initData opens the board."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import openpyxl
import pytest

from bot.dashboard.server import DashboardServer
from tests.dashboard.browser import IN_CI, browser_problem, chromium
from tests.dashboard.support import MANAGER, SUPERVISOR, init_data, open_ticket
from tests.support.harness import Harness

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    problem = browser_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem}: the browser tests must run in CI")
        pytest.skip(problem)
    async with chromium() as browser:
        context = await browser.new_context(accept_downloads=True, locale="zh-CN")
        page = await context.new_page()
        try:
            yield page
        finally:
            await context.close()


async def test_sign_in_watch_a_new_emergency_arrive_and_open_it(
    h: Harness, server: DashboardServer, page: Page
) -> None:
    await open_ticket(h, intent="repair", severity="normal", words="水龙头坏了", building="5")
    response = await page.goto(server.link(MANAGER, "李经理"))
    assert response is not None and response.status == 200
    assert page.url == server.public_url  # the link was exchanged for a session
    await page.wait_for_selector("#group-normal #ticket-1")
    assert await page.locator("#group-emergency .card").count() == 0

    gas = await open_ticket(h, words="3栋1202厨房有煤气味，很浓")
    started = time.monotonic()
    card = page.locator(f"#group-emergency #ticket-{gas.id}")
    await card.wait_for(timeout=2000)  # no reload: the board polls every 1.5 s
    assert time.monotonic() - started < 2.0
    text = await card.inner_text()
    assert "燃气泄漏" in text and "3栋 1202室" in text and "很浓" in text
    assert "接单 剩余 4:5" in text or "接单 剩余 5:00" in text  # 5 minutes to claim, ticking

    await card.click()
    await page.wait_for_selector("text=处理记录")
    assert page.url.endswith(f"ticket?id={gas.id}")
    body = await page.inner_text("main")
    assert "13812345678" in body and "待接单" in body and re.search(r"时限\s+接单 剩余 [45]:\d\d", body)
    assert await page.locator("ol.timeline li").count() >= 1

    await page.click("#claim")  # a manager claims through TicketService
    await page.wait_for_selector("text=已接单")
    fresh = await h.app.tickets.get(gas.id)
    assert fresh is not None and fresh.status == "claimed" and fresh.claimed_by_name == "李经理"


async def test_download_the_xlsx_and_read_it_back(
    h: Harness, server: DashboardServer, page: Page, tmp_path: Path
) -> None:
    await open_ticket(h, words="电梯困人了，3栋2单元，快来")
    await page.goto(server.link(MANAGER))
    await page.click("text=统计")
    await page.wait_for_selector("#charts svg")
    assert await page.locator("#charts svg").count() >= 4
    async with page.expect_download() as info:
        await page.click("#export-xlsx")
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "创建时间", "类型", "紧急程度")
    assert rows[1][0] == 1 and rows[1][2] == "燃气泄漏" and rows[1][8] == "电梯困人了，3栋2单元，快来"


async def test_forged_links_and_tampered_init_data_are_refused(
    h: Harness, server: DashboardServer, page: Page
) -> None:
    link = server.link(MANAGER)
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    response = await page.goto(forged)
    assert response is not None and response.status == 403
    assert "链接无效或已过期" in await page.inner_text("body")
    response = await page.goto(server.public_url)
    assert response is not None and response.status == 403  # no session was given

    good = init_data(SUPERVISOR, h.clock.now())
    tampered = good.replace("auth_date=", "auth_date=9")
    await page.goto(f"{server.mini_app_url()}#tgWebAppData={quote(tampered)}")
    await page.wait_for_selector("text=链接无效或已过期")
    assert page.url.startswith(server.mini_app_url())

    await page.goto("about:blank")  # else only the fragment changes: no new page load
    await page.goto(f"{server.mini_app_url()}#tgWebAppData={quote(good)}&tgWebAppVersion=8.0")
    await page.wait_for_selector("#board")
    assert page.url == server.public_url
    assert "主管" in await page.inner_text("header")


async def test_the_board_shows_a_tickets_team_and_marks_it_overdue(
    h: Harness, server: DashboardServer, page: Page
) -> None:
    from bot.tickets.teams import Teams

    h.app.tickets.teams = Teams.from_mapping(
        {"teams": {"engineering": {"name": "工程部", "chat_id": "-1002", "intents": ["repair"]}}}
    )
    repair = await open_ticket(h, intent="repair", severity="normal", words="水龙头坏了", building="5")
    assert repair.due_at is not None
    await page.goto(server.link(SUPERVISOR, "王主管"))
    card = page.locator(f"#group-normal #ticket-{repair.id}")
    await card.wait_for()
    assert await card.locator(".team").inner_text() == "👥 工程部"
    due = card.locator(".due")
    assert (await due.inner_text()).startswith("⏳ 处理时限 ")
    assert "late" not in (await due.get_attribute("class") or "")

    # due in a minute (the real one is days away, past the 12-hour session)
    await h.app.tickets.set_values(repair.id, due_at=h.clock.now() + timedelta(seconds=60))
    h.clock.advance(120)
    late = page.locator(f"#ticket-{repair.id} .due.late")
    await late.wait_for(timeout=2000)  # the next poll marks it, no reload
    assert (await late.inner_text()).startswith("⏰ 已超时 ")

    await card.click()
    await page.wait_for_selector("text=处理记录")
    body = await page.inner_text("main")
    assert re.search(r"团队\s+工程部", body) and re.search(r"处理时限\s+\S+ \S+ ⏰ 已超时", body)
