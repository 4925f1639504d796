"""The dashboard over HTTP (aiohttp client against the real server): signing in, the board
and its JSON, a ticket and claiming it, statistics, CSV and XLSX exports, refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import openpyxl
import pytest

from bot.dashboard.server import SESSION_COOKIE, DashboardServer
from tests.dashboard.support import (
    MANAGER,
    STAFF,
    STRANGER,
    SUPERVISOR,
    init_data,
    open_ticket,
    session_cookie,
)
from tests.support.harness import Harness


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


def client(server: DashboardServer, user: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=server.public_url, cookies=session_cookie(server, user)
    )


async def test_a_signed_link_signs_in_and_opens_the_board(
    h: Harness, server: DashboardServer, http: aiohttp.ClientSession
) -> None:
    await open_ticket(h)
    async with http.get(server.link(MANAGER, "李经理")) as response:
        assert response.status == 200
        assert str(response.url) == server.public_url  # redirected to the board
        page = await response.text()
    assert "实时看板" in page and 'id="board-data"' in page and "燃气泄漏" in page
    assert any(c.key == SESSION_COOKIE for c in http.cookie_jar)
    async with http.get(server.public_url + "api/board") as response:
        board = await response.json()
    assert [t["id"] for t in board["tickets"]] == [1]


async def test_forged_expired_and_strangers_links_are_refused(
    h: Harness, server: DashboardServer, http: aiohttp.ClientSession
) -> None:
    good = server.link(MANAGER)
    forged = good[:-3] + ("xyz" if not good.endswith("xyz") else "abc")
    for link in (forged, server.public_url + "login", server.link(STRANGER)):
        async with http.get(link) as response:
            assert response.status == 403
            assert "链接无效或已过期" in await response.text()
    h.clock.advance(h.app.settings.dashboard_link_seconds + 1)
    async with http.get(good) as response:
        assert response.status == 403
    assert not list(http.cookie_jar)


@pytest.mark.parametrize("path", ["", "api/board", "ticket?id=1", "stats", "export.xlsx", "export.csv"])
async def test_every_page_needs_a_session(
    server: DashboardServer, http: aiohttp.ClientSession, path: str
) -> None:
    async with http.get(server.public_url + path) as response:
        assert response.status == 403
    forged = {SESSION_COOKIE: server.signer.link_token(MANAGER)}  # a link is no session
    async with aiohttp.ClientSession(cookies=forged) as other, other.get(
        server.public_url + path
    ) as response:
        assert response.status == 403


async def test_the_mini_app_signs_in_with_valid_init_data_only(
    h: Harness, server: DashboardServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(server.mini_app_url()) as response:
        assert response.status == 200
        assert "webapp-auth" in await response.text()
    fresh = init_data(SUPERVISOR, h.clock.now())
    tampered = fresh.replace("auth_date=", "auth_date=1")
    async with http.post(server.public_url + "webapp-auth", data={"init_data": tampered}) as r:
        assert r.status == 403
    stale = init_data(SUPERVISOR, h.clock.now() - timedelta(hours=2))
    async with http.post(server.public_url + "webapp-auth", data={"init_data": stale}) as r:
        assert r.status == 403
    async with http.post(server.public_url + "webapp-auth", data={"init_data": fresh}) as r:
        assert r.status == 200
        assert (await r.json())["role"] == "supervisor"
    async with http.get(server.public_url + "stats") as response:
        assert response.status == 200


async def test_the_board_groups_by_severity_with_deadlines(h: Harness, server: DashboardServer) -> None:
    repair = await open_ticket(h, intent="repair", severity="normal", words="水龙头坏了")
    h.clock.advance(60)
    gas = await open_ticket(h)
    async with client(server, STAFF) as c, c.get("api/board") as response:
        board = await response.json()
    assert [t["id"] for t in board["tickets"]] == [gas.id, repair.id]  # emergencies first
    first = board["tickets"][0]
    assert first["severity_name"] == "紧急" and first["place"] == "3栋 1202室"
    assert first["deadline_kind"] == "claim"
    assert first["deadline_ts"] - board["now"] == h.app.settings.sla_claim_seconds_emergency
    assert board["counts"] == {"emergency": 1, "normal": 1}
    async with client(server, STAFF) as c, c.get("api/board?lang=en") as response:
        english = await response.json()
    assert english["tickets"][0]["severity_name"] == "Emergency"
    assert english["tickets"][0]["intent"] != ""


async def test_a_ticket_page_shows_the_timeline_and_a_manager_claims(
    h: Harness, server: DashboardServer
) -> None:
    ticket = await open_ticket(h, words="<script>alert(1)</script> 有煤气味")
    async with client(server, STAFF) as c, c.get(f"ticket?id={ticket.id}") as response:
        page = await response.text()
    assert "工单 #1" in page and "处理记录" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'id="claim"' not in page  # staff: read-only
    async with client(server, STAFF) as c, c.post("claim", data={"id": "1"}) as response:
        assert response.status == 403
    async with client(server, MANAGER) as c:
        async with c.get(f"ticket?id={ticket.id}") as response:
            page = await response.text()
        assert 'id="claim"' in page
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        async with c.post("claim", data={"id": "1", "csrf": "wrong"}) as response:
            assert response.status == 403
        async with c.post("claim", data={"id": "1", "csrf": csrf}) as response:
            assert response.status == 200
            page = await response.text()
    assert "已接单" in page and "李经理" in page
    fresh = await h.app.tickets.get(ticket.id)
    assert fresh is not None and fresh.status == "claimed" and fresh.claimed_by == MANAGER
    await h.app.outbox.drain()
    assert any("已接单" in m.text for m in h.chat("1001"))  # the resident told, as from 🙋 接单
    async with client(server, MANAGER) as c, c.get("ticket?id=77") as response:
        assert response.status == 404


async def test_statistics_for_a_period_draw_svg_charts(h: Harness, server: DashboardServer) -> None:
    await open_ticket(h)
    await open_ticket(h, intent="repair", severity="normal", building="5", words="灯坏了")
    async with client(server, SUPERVISOR) as c, c.get("stats") as response:
        page = await response.text()
    assert response.status == 200
    assert page.count("<svg") >= 4 and "每天工单数" in page and "5栋" in page
    assert 'id="export-xlsx"' not in page  # supervisors see numbers, not the log
    async with client(server, STAFF) as c, c.get("stats") as response:
        assert response.status == 403
    async with client(server, MANAGER) as c, c.get("stats?start=2026-11-01&end=2026-11-30&lang=en") as r:
        page = await r.text()
    assert "Statistics: 2026-11-01 to 2026-11-30" in page and 'id="export-xlsx"' in page
    async with client(server, MANAGER) as c, c.get("stats?start=bad") as r:
        assert r.status == 400


async def test_exports_keep_chinese_and_agree(h: Harness, server: DashboardServer) -> None:
    await open_ticket(h, words="=1+1 厨房有煤气味")
    async with client(server, MANAGER) as c:
        async with c.get("export.csv") as response:
            assert response.headers["Content-Disposition"].endswith('.csv"')
            text = (await response.read()).decode("utf-8-sig")
        async with c.get("export.xlsx") as response:
            assert response.status == 200
            assert "spreadsheetml" in response.headers["Content-Type"]
            content = await response.read()
    rows = list(csv.reader(io.StringIO(text)))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == rows
    assert rows[0][0] == "编号" and rows[1][8] == "'=1+1 厨房有煤气味"
    assert sheet["A2"].value == 1 and sheet["I2"].data_type == "s"  # a number; text, no formula
    async with client(server, SUPERVISOR) as c, c.get("export.xlsx") as response:
        assert response.status == 403


async def test_health(server: DashboardServer, http: aiohttp.ClientSession) -> None:
    async with http.get(server.public_url + "healthz") as response:
        assert await response.text() == "ok"


async def test_buildings_and_notices(h: Harness, server: DashboardServer) -> None:
    from bot.notices.render import NoticeFacts

    await open_ticket(h)
    await open_ticket(h, intent="repair", severity="normal", building=None, room=None, words="路灯坏了")
    await h.app.notices.publish(
        NoticeFacts(kind="water", buildings=["3", "5"], starts_at=None, ends_at=None, reason="管道维修", advice=""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    async with client(server, SUPERVISOR) as c, c.get("buildings") as response:
        page = await response.text()
    assert response.status == 200
    row = page.split('id="buildings"')[1].split("</tr>")[1]
    assert "3栋" in row and "#1 停水" in row
    assert "未知楼栋" in page and "管道维修" not in page
    # the resident of the 3栋 ticket is known by building: the notice is on its way to them
    assert 'id="notices"' in page and "进行中" in page and "0/1" in page
    async with client(server, STAFF) as c, c.get("buildings") as response:
        assert response.status == 403


async def test_staff_of_a_team_see_their_teams_tickets(h: Harness, server: DashboardServer) -> None:
    from bot.tickets.teams import Teams

    h.app.tickets.teams = Teams.from_mapping(
        {
            "teams": {
                "engineering": {"chat_id": "-1002", "intents": ["repair"], "members": ["小王"]},
                "service": {"chat_id": "-1003", "intents": ["complaint"], "members": ["600"]},
            },
            "people": {"小王": STAFF},
        }
    )
    repair = await open_ticket(h, intent="repair", severity="normal", words="水龙头坏了")
    complaint = await open_ticket(h, intent="complaint", severity="normal", words="楼道太脏")
    async with client(server, STAFF) as c:
        async with c.get("api/board") as response:
            mine = [t["id"] for t in (await response.json())["tickets"]]
        async with c.get(f"ticket?id={complaint.id}") as response:
            assert response.status == 404  # another team's ticket
        async with c.get(f"ticket?id={repair.id}") as response:
            assert response.status == 200
    assert mine == [repair.id]
    async with client(server, SUPERVISOR) as c, c.get("api/board") as response:
        everything = {t["id"] for t in (await response.json())["tickets"]}
    assert everything == {repair.id, complaint.id}


async def test_the_board_and_a_ticket_show_its_team_and_its_deadline(
    h: Harness, server: DashboardServer
) -> None:
    from bot.tickets.teams import Teams

    h.app.tickets.teams = Teams.from_mapping(
        {"teams": {"engineering": {"name": "工程部", "chat_id": "-1002", "intents": ["repair"]}}}
    )
    repair = await open_ticket(h, intent="repair", severity="normal", words="水龙头坏了")
    assert repair.due_at is not None
    due = repair.due_at.astimezone(h.app.tickets.fmt.local(repair.due_at).tzinfo)
    shown = f"{due:%Y-%m-%d %H:%M}"
    async with client(server, STAFF) as c:
        async with c.get("api/board") as response:
            card = (await response.json())["tickets"][0]
        async with c.get(f"ticket?id={repair.id}") as response:
            page = await response.text()
    assert card["team"] == "工程部" and card["due"] == shown and card["overdue"] is False
    assert card["due_ts"] == repair.due_at.timestamp()
    assert "<th>团队</th><td>工程部</td>" in page
    assert f'<td id="due" class="due">{shown}</td>' in page

    h.clock.advance((repair.due_at - h.clock.now()).total_seconds() + 60)  # past it
    async with client(server, STAFF) as c:
        async with c.get("api/board?lang=en") as response:
            card = (await response.json())["tickets"][0]
        async with c.get(f"ticket?id={repair.id}&lang=en") as response:
            page = await response.text()
    assert card["overdue"] is True and card["team"] == "工程部"
    assert "<th>Team</th>" in page and f'<td id="due" class="due late">{shown} ⏰ Overdue</td>' in page

    await h.app.tickets.set_values(repair.id, team="gone")  # a team since taken out of the file
    gas = await open_ticket(h)  # no team
    async with client(server, STAFF) as c, c.get("api/board") as response:
        cards = {t["id"]: t for t in (await response.json())["tickets"]}
    assert cards[repair.id]["team"] == "gone" and cards[gas.id]["team"] == ""


async def test_the_languages_offered_are_the_locales_present(h: Harness, server: DashboardServer) -> None:
    from bot.dashboard.pages import dashboard_locales
    from bot.texts import Texts

    assert server.pages.locales == ["zh", "en"]  # locales/zh and locales/en, the default first
    async with client(server, STAFF) as c:
        async with c.get("") as response:
            page = await response.text()
        async with c.get("?lang=en") as response:
            english = await response.text()
        async with c.get("?lang=fr") as response:  # no such folder: the default
            unknown = await response.text()
    assert '<html lang="zh-CN">' in page and 'id="lang-en" lang="en">English</a>' in page
    assert '<html lang="en">' in english and 'id="lang-zh" lang="zh-CN">中文</a>' in english
    assert '<html lang="zh-CN">' in unknown

    found = {"dashboard.title": "x", "dashboard.language_name": "x"}
    texts = Texts({"zh": found, "en": found, "fr": found, "ja": {"resident.hello": "x"}})
    assert dashboard_locales(texts) == ["zh", "en", "fr"]  # ja has no dashboard texts
