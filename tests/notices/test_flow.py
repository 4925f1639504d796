"""The /notice flow as a manager lives it: steps with buttons, typed answers, re-prompts,
the preview exactly as residents see it, edits, cancel, the one-line form, a restart."""

from __future__ import annotations

from datetime import timedelta

from bot.core.incoming import Incoming
from bot.storage.models import Notice
from tests.notices.support import MANAGER, add_residents, notice_harness
from tests.support.harness import Harness


async def notices(h: Harness) -> list[Notice]:
    from sqlalchemy import select

    async with h.app.db.session() as session:
        return list((await session.scalars(select(Notice).order_by(Notice.id))).all())


async def test_the_guided_flow_from_kind_to_residents(h: Harness) -> None:
    chats = await add_residents(h.app, 10, buildings=["1", "2", "3", "5", "8"])
    shown = await h.say(MANAGER, "/notice")
    assert "是什么通知" in shown[-1].plain
    assert shown[-1].button_texts[:3] == ["停水", "停电", "其他"]

    shown = await h.press(MANAGER, "nt:k:water")
    assert "哪些楼栋" in shown[-1].plain and "nt:b:all" in shown[-1].button_data

    shown = await h.say(MANAGER, "1-3栋, 5栋")
    assert "什么时候开始" in shown[-1].plain and "nt:s:now" in shown[-1].button_data

    shown = await h.say(MANAGER, "明天9:00")
    assert "预计什么时候恢复" in shown[-1].plain and "11月22日（周日）09:00" in shown[-1].plain

    shown = await h.say(MANAGER, "下午5点")
    assert "原因" in shown[-1].plain and "管道维修" in shown[-1].button_texts

    shown = await h.press(MANAGER, "nt:r:0")
    assert "请住户怎么做" in shown[-1].plain and "储存生活用水" in shown[-1].plain

    preview = (await h.press(MANAGER, "nt:a:def"))[-1]
    assert "预览" in preview.plain
    assert "【停水通知】1-3栋、5栋" in preview.plain
    assert "11月22日（周日）09:00 至 17:00" in preview.plain
    assert "原因：管道维修" in preview.plain
    assert "将发送给 8 位住户" in preview.plain  # buildings 1, 2, 3 and 5 of 1/2/3/5/8
    assert "开始前 60 分钟会再提醒" in preview.plain
    assert preview.button_data == ["nt:ok", "nt:edit", "nt:x"]

    await h.press(MANAGER, "nt:ok")
    told = [c for c in chats if h.chat(c)]
    assert len(told) == 8
    resident_text = h.last(told[0]).text
    assert resident_text in preview.text  # the preview is exactly what residents read
    assert h.chat(MANAGER)[-3].buttons is None  # the confirmed preview lost its buttons
    assert any("已发布" in m.plain for m in h.chat(MANAGER))
    assert "送达 8/8" in h.last(MANAGER).plain
    [notice] = await notices(h)
    assert (notice.kind, notice.buildings, notice.status) == (
        "water",
        ["1", "2", "3", "5"],
        "planned",
    )


async def test_answers_not_understood_are_asked_again_with_an_example(h: Harness) -> None:
    await h.say(MANAGER, "/notice")
    shown = await h.say(MANAGER, "水")
    assert "请点一个按钮" in shown[0].plain and "是什么通知" in shown[-1].plain
    await h.press(MANAGER, "nt:k:power")
    shown = await h.say(MANAGER, "东边那几栋")
    assert "没看懂楼栋" in shown[0].plain and "1-5栋, 8栋" in shown[0].plain
    shown = await h.say(MANAGER, "5-1栋")
    assert "5-1" in shown[0].plain and "不对" in shown[0].plain
    await h.press(MANAGER, "nt:b:all")
    shown = await h.say(MANAGER, "很快")
    assert "没看懂时间" in shown[0].plain and "明天9:00" in shown[0].plain
    await h.say(MANAGER, "明天9:00")
    shown = await h.say(MANAGER, "明天8:00")
    assert "恢复时间要晚于开始时间" in shown[0].plain
    shown = await h.say(MANAGER, "过一会")
    assert "没看懂恢复时间" in shown[0].plain
    shown = await h.say(MANAGER, "4小时")
    assert "原因" in shown[-1].plain and "线路检修" in shown[-1].button_texts


async def test_start_and_end_in_one_answer_skip_the_end_step(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停电 3栋")
    shown = await h.say(MANAGER, "今晚8点到10点")
    assert "原因" in shown[-1].plain


async def test_a_start_long_past_is_refused(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停水 3栋")
    shown = await h.say(MANAGER, "11月1日 9:00")  # read as next year: fine
    assert "预计什么时候恢复" in shown[-1].plain
    await h.press(MANAGER, "nt:x")
    await h.say(MANAGER, "/notice 停水 3栋")
    shown = await h.say(MANAGER, "2026-11-10 9:00")
    assert "已经过去一天以上" in shown[0].plain


async def test_the_one_line_form_goes_straight_to_what_is_missing(h: Harness) -> None:
    await add_residents(h.app, 6, buildings=["3", "4", "5"])
    shown = await h.say(MANAGER, "/notice 停水 3,5栋 明天9:00-17:00 管道维修")
    assert "请住户怎么做" in shown[-1].plain  # only the advice is left
    preview = (await h.press(MANAGER, "nt:a:def"))[-1]
    assert "3栋、5栋" in preview.plain and "将发送给 4 位" in preview.plain


async def test_own_advice_and_an_unknown_end(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停电 全部 现在")
    shown = await h.press(MANAGER, "nt:e:none")
    assert "原因" in shown[-1].plain
    await h.say(MANAGER, "配电房故障抢修")
    preview = (await h.say(MANAGER, "请关闭空调，电梯暂停使用"))[-1]
    # "故障抢修": an unplanned outage, worded as one
    assert "预计恢复：待定" in preview.plain and "请关闭空调，电梯暂停使用" in preview.plain
    assert "【紧急停电通知】" in preview.plain and "工作人员正在抢修" in preview.plain
    assert "全部楼栋" in preview.plain and "开始时间已到" in preview.plain
    await h.press(MANAGER, "nt:ok")
    [notice] = await notices(h)
    assert notice.status == "active" and notice.ends_at is None


async def test_editing_from_the_preview(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停水 3栋 明天9:00-17:00 管道维修")
    await h.press(MANAGER, "nt:a:def")
    shown = await h.press(MANAGER, "nt:edit")
    assert shown[-1].button_texts[:3] == ["类型", "楼栋", "开始时间"]
    shown = await h.press(MANAGER, "nt:ed:buildings")
    assert "哪些楼栋" in shown[-1].plain
    preview = (await h.say(MANAGER, "全部"))[-1]  # straight back to the preview
    assert "预览" in preview.plain and "【停水通知】全部楼栋" in preview.plain
    await h.press(MANAGER, "nt:edit")
    await h.press(MANAGER, "nt:ed:end")
    preview = (await h.say(MANAGER, "18:30"))[-1]
    assert "09:00 至 18:30" in preview.plain


async def test_cancel_drops_the_draft_and_lets_messages_through(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停水")
    shown = await h.press(MANAGER, "nt:x")
    assert "已放弃" in shown[-1].plain
    handler = h.app.router.handlers[1]
    text = Incoming(update_id="x", chat_id=MANAGER, user_id=MANAGER, text="家里漏水了")
    assert not await handler.accepts(text)  # a manager's own report goes to the resident flows
    await h.say(MANAGER, "/notice 停水")
    shown = await h.say(MANAGER, "/cancel")
    assert "已放弃" in shown[-1].plain
    assert not await handler.accepts(text)


async def test_a_restart_in_the_middle_continues(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    await add_residents(h.app, 4, buildings=["3"])
    await h.say(MANAGER, "/notice 停水 3栋")
    await h.close()
    h2 = await notice_harness(sqlite_url)
    try:
        shown = await h2.say(MANAGER, "明天9:00-17:00")
        assert "原因" in shown[-1].plain
        await h2.say(MANAGER, "水箱清洗")
        await h2.press(MANAGER, "nt:a:def")
        await h2.press(MANAGER, "nt:ok")
        assert "送达 4/4" in h2.last(MANAGER).plain
    finally:
        await h2.close()


async def test_confirming_twice_publishes_once(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停水 3栋 明天9:00-17:00 管道维修")
    await h.press(MANAGER, "nt:a:def")
    preview_id = h.last(MANAGER).message_id
    await h.press(MANAGER, "nt:ok", message_id=preview_id)
    shown = await h.press(MANAGER, "nt:ok", message_id=preview_id)
    assert "已经发布或已放弃" in shown[-1].plain
    assert len(await notices(h)) == 1


async def test_a_stale_draft_is_forgotten(h: Harness) -> None:
    await h.say(MANAGER, "/notice 停水")
    h.clock.advance(timedelta(hours=25).total_seconds())
    handler = h.app.router.handlers[1]
    text = Incoming(update_id="y", chat_id=MANAGER, user_id=MANAGER, text="3栋")
    assert not await handler.accepts(text)


async def test_only_managers_get_the_manager_commands(h: Harness) -> None:
    handler = h.app.router.handlers[1]
    for text in ("/notice 停水 3栋", "/stats", "/export", "/notices"):
        assert not await handler.accepts(
            Incoming(update_id="z", chat_id="c1", user_id="c1", text=text)
        )
        assert await handler.accepts(
            Incoming(update_id="z", chat_id=MANAGER, user_id=MANAGER, text=text)
        )
    forged = Incoming(
        update_id="z", chat_id="c1", user_id="c1", button_data="nt:ry:1", callback_id="q"
    )
    assert not await handler.accepts(forged)
    other = Incoming(update_id="z", chat_id=MANAGER, user_id=MANAGER, text="/start")
    assert not await handler.accepts(other)  # a manager's own /start is the resident's
