"""Notices reach everyone whose building is known: registered residents and those who told
their building in a ticket (each once); the estate's channel; a printable page for the lobby;
an unplanned outage worded as one; /restored counts those who asked."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from fontTools.ttLib import TTCollection
from PIL import Image
from sqlalchemy import select

from bot.core.actions import SendDocument, SendPhoto
from bot.fonts import FACE_INDEX, FAMILY_SC, cjk_font_path
from bot.notices.printable import A4_PX, png_to_pdf, render_page
from bot.notices.render import NoticeFacts
from bot.storage.models import Resident
from bot.tickets.draft import TicketDraft
from tests.notices.support import MANAGER, add_residents, deliveries, notice_harness
from tests.support.harness import Harness

CHANNEL = "-100777"


@pytest.fixture
async def fresh(database_url: str) -> AsyncIterator[Harness]:
    """A fresh estate on SQLite and PostgreSQL, with a channel, a name and a phone."""
    harness = await notice_harness(
        database_url,
        notice_channel_id=CHANNEL,
        estate_name="阳光花园",
        company_phone="020-12345678",
    )
    try:
        yield harness
    finally:
        await harness.close()


async def report(h: Harness, who: str, building: str, words: str = "水龙头坏了") -> None:
    await h.app.tickets.open_ticket(
        TicketDraft(
            chat_id=who,
            user_id=who,
            user_name=f"住户{who}",
            intent="repair",
            severity="normal",
            description=words,
            building=building,
            room="1201",
            phone="13812345678",
        )
    )


def sent_to(h: Harness, chat: str, kind: type) -> list:
    return [a for a, _ in h.sender.log if isinstance(a, kind) and a.chat_id == chat]


async def test_fifty_reporters_none_registered_all_get_the_water_notice(fresh: Harness) -> None:
    h = fresh
    for i in range(50):
        await report(h, f"r{i}", building=str(1 + i % 5))
    await report(h, "r0", building="1", words="又坏了")  # a second ticket: still one resident
    await report(h, "far", building="9")  # another building: not told
    await h.app.outbox.drain()

    await h.say(MANAGER, "/notice 停水 1-5栋 现在 管道维修")
    await h.press(MANAGER, "nt:e:none")
    shown = await h.press(MANAGER, "nt:a:def")
    assert "将发送给 50 位住户" in shown[-1].plain
    await h.press(MANAGER, "nt:ok")

    got = await deliveries(h.app, 1)
    assert len(got) == 50 and set(got.values()) == {"sent"}
    assert all("【停水通知】" in h.last(f"r{i}").plain for i in range(50))
    assert all(
        sum("停水通知" in m.plain for m in h.chat(f"r{i}")) == 1 for i in range(50)
    )  # each once
    assert not any("停水通知" in m.plain for m in h.chat("far"))
    # the summary counts them all against the target
    assert any("送达 50/50（100%）" in m.plain for m in h.chat(MANAGER))
    # the estate's channel
    assert any("【停水通知】1-5栋" in m.plain for m in h.chat(CHANNEL))
    # already started: no "store water in advance"
    assert "提前储存" not in h.last("r1").plain
    # the printable page for the lobby board, as PNG and PDF
    photos = sent_to(h, MANAGER, SendPhoto)
    docs = sent_to(h, MANAGER, SendDocument)
    assert photos and photos[-1].content.startswith(b"\x89PNG")
    assert "可打印" in (photos[-1].caption or "")
    assert docs and docs[-1].filename.endswith(".pdf") and docs[-1].content.startswith(b"%PDF")
    with Image.open(io.BytesIO(photos[-1].content)) as page:
        assert page.size == A4_PX


async def test_registered_and_reporting_residents_are_told_once(fresh: Harness) -> None:
    h = fresh
    registered = await add_residents(h.app, 3, buildings=["3"], prefix="reg")
    await report(h, registered[0], building="3")  # registered and reported: once
    await report(h, "moved", building="5")
    await report(h, "moved", building="3")  # the latest ticket's building counts
    await report(h, "gone", building="3")
    await h.say("gone", "/forget")  # consent withdrawn: no longer told from tickets
    notice, count, _ = await h.app.notices.publish(
        NoticeFacts("water", ["3"], None, None, "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.app.notices.drain()
    got = await deliveries(h.app, notice.id)
    assert sorted(got) == sorted([*registered, "moved"]) and count == 4
    async with h.app.db.session() as session:
        moved = await session.scalar(select(Resident).where(Resident.user_id == "moved"))
    assert moved is not None and not moved.consent  # a row to deliver to, not a registration


async def test_an_unplanned_outage_is_not_worded_as_planned(fresh: Harness) -> None:
    h = fresh
    await report(h, "r1", building="3")
    notice, _, _ = await h.app.notices.publish(
        NoticeFacts("water", ["3"], None, None, "水管爆裂", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.app.notices.drain()
    await h.app.outbox.drain()
    text = h.last("r1").plain
    assert "紧急停水通知" in text and "正在抢修" in text
    assert "储存" not in text and "计划" not in text
    answer = await h.app.notices.answer_outage(
        chat_id="asker",
        user_id="asker",
        user_name="李先生",
        intent="water_outage",
        building="3",
        text="怎么没水了",
        locale="zh",
    )
    assert answer is not None and "计划内" not in answer and "正在抢修" in answer
    assert "储存" not in answer
    # /restored: the resident who asked is counted with those the notice reached
    shown = await h.say(MANAGER, f"/restored {notice.id}")
    assert "2 位住户" in shown[-1].plain
    shown = await h.press(MANAGER, f"nt:ry:{notice.id}")
    assert any("正在通知 2 位住户" in m.plain for m in shown)
    assert "已恢复供水" in h.last("asker").plain
    assert any("已恢复供水" in m.plain for m in h.chat(CHANNEL))


async def test_a_planned_outage_still_says_store_water(fresh: Harness) -> None:
    h = fresh
    from datetime import timedelta

    await report(h, "r1", building="3")
    start = h.clock.now() + timedelta(days=1)
    await h.app.notices.publish(
        NoticeFacts("water", ["3"], start, start + timedelta(hours=8), "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.app.notices.drain()
    await h.app.outbox.drain()
    text = h.last("r1").plain
    assert "【停水通知】" in text and "提前储存" in text and "紧急停水" not in text


async def test_stats_never_show_zero_of_zero(fresh: Harness) -> None:
    h = fresh
    await h.app.notices.publish(
        NoticeFacts("water", ["8"], None, None, "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.app.notices.drain()
    shown = await h.say(MANAGER, "/stats")
    text = next(m for m in shown if "统计" in m.plain).plain
    assert "0/0" not in text and "#1 停水 8栋：没有可送达的住户" in text


# -- the printed page --------------------------------------------------------------------------
def test_the_printed_page_is_chinese_in_a_font_that_has_every_glyph() -> None:
    from datetime import UTC, datetime

    from bot.bootstrap import load_texts
    from bot.config import Settings
    from bot.notices.render import NoticeRenderer

    settings = Settings(_env_file=None)
    render = NoticeRenderer(load_texts(settings), settings.timezone)
    now = datetime(2026, 12, 6, 1, tzinfo=UTC)
    page = render.printout(
        NoticeFacts("water", ["3", "5"], now, None, "水管爆裂", "", True),
        "zh",
        estate="阳光花园",
        phone="020-12345678",
        today=now,
    )
    assert page.title == "紧急停水通知" and page.date == "2026年12月6日"
    assert page.signature == "阳光花园物业服务中心" and "020-12345678" in page.contact
    words = "".join([page.estate, page.title, page.greeting, *page.lines, page.contact])
    path = cjk_font_path()
    assert path is not None
    face = TTCollection(str(path)).fonts[FACE_INDEX[FAMILY_SC]]
    cmap = face.getBestCmap()
    missing = {ch for ch in words if not ch.isspace() and ord(ch) not in cmap}
    assert not missing  # no tofu: every character has its glyph
    png = render_page(page)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == A4_PX
        # ink where the title is: the Chinese was drawn, not left blank
        title = image.crop((200, 180, 1040, 300)).convert("L")
        assert title.getextrema()[0] < 100
    pdf = png_to_pdf(png)
    assert pdf.startswith(b"%PDF") and b"/MediaBox [ 0 0 595" in pdf


async def test_nobody_known_yet_says_so_and_still_prints(fresh: Harness) -> None:
    h = fresh
    await h.say(MANAGER, "/notice 停电 8栋 现在 线路检修")
    await h.press(MANAGER, "nt:e:none")
    await h.press(MANAGER, "nt:a:def")
    shown = await h.press(MANAGER, "nt:ok")
    assert any("没有人可私信" in m.plain for m in shown)
    assert not any("正在发送给 0 位住户" in m.plain for m in h.chat(MANAGER))
    assert sent_to(h, MANAGER, SendPhoto) and sent_to(h, MANAGER, SendDocument)
    assert any("【停电通知】8栋" in m.plain for m in h.chat(CHANNEL))
