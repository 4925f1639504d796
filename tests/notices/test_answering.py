"""Residents reporting an outage are answered from the notice that covers them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.notices.render import NoticeFacts
from bot.storage.models import OutageReport
from tests.notices.support import MANAGER
from tests.support.harness import Harness


async def publish(
    h: Harness,
    kind: str = "water",
    buildings: list[str] | None = None,
    start_in: float = -1,
    end_in: float | None = 6,
) -> int:
    now = h.clock.now()
    facts = NoticeFacts(
        kind,
        ["3"] if buildings is None else buildings,
        now + timedelta(hours=start_in),
        now + timedelta(hours=end_in) if end_in is not None else None,
        "管道维修",
        "",
    )
    notice, _, _ = await h.app.notices.publish(facts, created_by=MANAGER, manager_chat_id=MANAGER)
    return notice.id


async def ask(
    h: Harness,
    chat: str = "r1",
    *,
    building: str | None = "3",
    intent: str = "water_outage",
    locale: str = "zh",
) -> str | None:
    return await h.app.notices.answer_outage(
        chat_id=chat,
        user_id=chat,
        user_name="王女士",
        intent=intent,
        building=building,
        text="家里没水了",
        locale=locale,
    )


async def test_a_covered_report_gets_the_notice_with_its_end(h: Harness) -> None:
    notice_id = await publish(h)
    text = await ask(h)
    assert text is not None
    assert text.startswith("<b>3栋正在停水，是计划内的（管道维修）。</b>")
    assert "预计恢复：11月22日（周日）00:00" in text  # 18:00 + 6 hours, the next day
    assert "恢复后我们会在这里通知您" in text
    notice = await h.app.notices.get(notice_id)
    assert notice is not None and notice.asked_count == 1


async def test_each_resident_is_counted_once_and_every_report_recorded(h: Harness) -> None:
    notice_id = await publish(h)
    for chat in ("r1", "r1", "r2"):
        assert await ask(h, chat) is not None
    notice = await h.app.notices.get(notice_id)
    assert notice is not None and notice.asked_count == 2
    async with h.app.db.session() as session:
        reports = (await session.scalars(select(OutageReport))).all()
    assert len(reports) == 3 and {r.notice_id for r in reports} == {notice_id}


@pytest.mark.parametrize(
    ("buildings", "resident", "covered"),
    [
        (["3"], "3", True),
        (["3"], "3-2", True),
        ([], "17", True),
        (["3"], "4", False),
        (["3-1"], "3-2", False),
    ],
)
async def test_only_the_buildings_it_covers(
    h: Harness, buildings: list[str], resident: str, covered: bool
) -> None:
    await publish(h, buildings=buildings)
    assert (await ask(h, building=resident) is not None) is covered


async def test_a_water_notice_does_not_answer_a_power_cut(h: Harness) -> None:
    await publish(h, kind="water")
    assert await ask(h, intent="power_outage") is None


async def test_an_other_notice_answers_no_outage(h: Harness) -> None:
    await publish(h, kind="other")
    assert await ask(h) is None


async def test_a_notice_starting_within_the_hour_answers_as_planned(h: Harness) -> None:
    await publish(h, start_in=0.5)
    text = await ask(h)
    assert text is not None and "有计划停水" in text


async def test_a_notice_starting_tomorrow_does_not(h: Harness) -> None:
    await publish(h, start_in=20)
    assert await ask(h) is None


async def test_no_building_or_another_intent_is_the_flows_business(h: Harness) -> None:
    await publish(h)
    assert await ask(h, building=None) is None
    assert await ask(h, intent="repair") is None


async def test_an_unknown_end_is_said_plainly(h: Harness) -> None:
    await publish(h, end_in=None)
    text = await ask(h)
    assert text is not None and "预计恢复：待定" in text


async def test_english_residents_get_english(h: Harness) -> None:
    await publish(h)
    text = await ask(h, locale="en")
    assert text is not None and "The water cut in Block 3 is planned (管道维修)." in text


async def test_a_failure_here_never_loses_the_report(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(h.app.notices.answers, "covering", broken)
    assert await ask(h) is None  # the flow opens a ticket as usual


async def test_an_estate_wide_notice_answers_a_report_without_a_building(h: Harness) -> None:
    await publish(h, buildings=[])  # 全部: every building
    text = await ask(h, building=None)  # "整个小区都停水了": no building given
    assert text is not None and "停水" in text


async def test_without_a_building_a_per_building_notice_does_not_answer(h: Harness) -> None:
    await publish(h, buildings=["3"])
    assert await ask(h, building=None) is None  # the flow opens a ticket as usual
