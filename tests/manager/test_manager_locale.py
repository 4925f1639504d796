"""MANAGER_LOCALE=en: the managers' screens in English, the notice residents read in Chinese."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.notices.support import MANAGER, add_residents, notice_harness
from tests.support.harness import Harness


@pytest.fixture
async def en(sqlite_url: str) -> AsyncIterator[Harness]:
    harness = await notice_harness(sqlite_url, manager_locale="en")
    try:
        yield harness
    finally:
        await harness.close()


async def test_a_notice_in_english_screens_reads_chinese_to_residents(en: Harness) -> None:
    h = en
    chats = await add_residents(h.app, 2, buildings=["3"])
    shown = await h.say(MANAGER, "/notice 停水 3栋 现在")
    await h.press(MANAGER, "nt:e:none")
    assert "reason?" in h.last(MANAGER).plain
    assert "管道维修" in h.last(MANAGER).button_texts  # the reasons residents will read
    await h.press(MANAGER, "nt:r:0")
    shown = await h.press(MANAGER, "nt:a:def")
    preview = shown[-1].plain
    assert preview.startswith("Preview") and "<b>2</b>" in shown[-1].text
    assert "【停水通知】3栋" in preview  # what residents read stays Chinese
    assert "提前储存" not in preview  # already started
    shown = await h.press(MANAGER, "nt:ok")
    assert any("Published; sending it to 2 residents" in m.plain for m in shown)
    assert any("delivered 2/2" in m.plain for m in h.chat(MANAGER))
    assert all("【停水通知】" in h.last(c).plain for c in chats)


async def test_stats_and_help_in_english(en: Harness) -> None:
    shown = await en.say(MANAGER, "/stats")
    text = next(m for m in shown if "Statistics" in m.plain).plain
    assert "today 0 · this week 0" in text
    assert not any("统计" in m.plain for m in shown)
    shown = await en.say(MANAGER, "/help")
    assert "Manager commands" in shown[-1].plain
