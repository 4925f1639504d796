"""A resident's own tickets and data: "我的工单" after a claim and with a photo added,
/mydata (a JSON copy of everything kept), the privacy statement in /start, and the daily
retention job that anonymises old tickets and deletes old conversations (fake clock)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.core.actions import SendDocument
from bot.core.incoming import Attachment, AttachmentKind
from bot.storage.models import Conversation, Ticket, TicketEvent
from tests.support.harness import Harness

RESIDENT = "1001"


async def report_repair(h: Harness, chat: str = RESIDENT) -> Ticket:
    await h.say(chat, "3栋1202卫生间水龙头坏了一直滴水")
    await h.say(chat, "13812345678")
    async with h.app.db.session() as session:
        ticket = await session.scalar(
            select(Ticket).where(Ticket.chat_id == chat).order_by(Ticket.id.desc())
        )
    assert ticket is not None
    return ticket


async def test_my_tickets_after_a_claim_and_a_photo(harness: Harness) -> None:
    h = harness
    shown = await h.say(RESIDENT, "/mytickets")
    assert "您现在没有工单" in shown[-1].plain
    assert "menu:mine" in shown[-1].button_data
    ticket = await report_repair(h)
    await h.press(h.staff_chat, f"tk:claim:{ticket.id}", user="9001", name="张师傅")
    shown = await h.press(RESIDENT, "menu:mine")
    text = shown[-1].plain
    assert "已接单，处理中" in text and "物业工作人员" in text
    assert "张师傅" not in text  # staff names never reach residents
    assert "工作人员会联系您或上门处理" in text
    await h.press(RESIDENT, f"menu:add:{ticket.id}")
    photo = Attachment(AttachmentKind.PHOTO, file_id="PHOTO-7")
    shown = await h.say(RESIDENT, None, attachment=photo)
    staff = [m for m in shown if m.chat_id == h.staff_chat]
    assert staff and staff[-1].kind == "photo"  # the photo went to the ticket's staff


async def test_mydata_sends_everything_kept_as_json(harness: Harness) -> None:
    h = harness
    ticket = await report_repair(h)
    await h.press(RESIDENT, "menu:remember:yes")
    await h.say(RESIDENT, "/mydata")
    docs = [a for a, _ in h.sender.log if isinstance(a, SendDocument) and a.chat_id == RESIDENT]
    assert docs and docs[-1].filename == "my-data.json"
    data: dict[str, Any] = json.loads(docs[-1].content.decode("utf-8"))
    assert data["profile"]["building"] == "3" and data["profile"]["phone"] == "13812345678"
    (mine,) = data["tickets"]
    assert mine["id"] == ticket.id and mine["description"] == "3栋1202卫生间水龙头坏了一直滴水"
    assert mine["phone"] == "13812345678" and mine["timeline"]
    assert data["retention"] == {"tickets_days": 365, "conversations_days": 30}
    assert "我们保存的关于您的全部信息" in (docs[-1].caption or "")


async def test_start_says_what_is_kept_and_for_how_long(harness: Harness) -> None:
    shown = await harness.say(RESIDENT, "/start")
    privacy = next(m.plain for m in shown if "隐私说明" in m.plain)
    assert "365 天" in privacy and "30 天" in privacy and "/mydata" in privacy
    assert "/forget" in privacy


async def test_retention_anonymises_old_tickets_with_a_fake_clock(harness: Harness) -> None:
    h = harness
    old = await report_repair(h)
    await h.press(RESIDENT, f"menu:close:{old.id}")
    recent_chat = "1002"
    recent = await report_repair(h, recent_chat)
    jobs = {j.job_id: j for j in await h.app.scheduler.jobs()}
    assert "privacy:retention" in jobs  # the daily job, planted at start

    await h.tick(timedelta(days=300).total_seconds())
    await h.press(recent_chat, f"menu:close:{recent.id}")  # finished 300 days later
    await h.tick(timedelta(days=70).total_seconds())  # the old one is 370 days finished

    async with h.app.db.session() as session:
        gone = await session.get(Ticket, old.id)
        kept = await session.get(Ticket, recent.id)
        events = (
            await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == old.id))
        ).all()
        conversations = (await session.scalars(select(Conversation))).all()
    assert gone is not None and kept is not None
    assert gone.user_id == "anonymised" and gone.chat_id == "anonymised"
    assert gone.phone is None and gone.room is None and gone.description == ""
    assert gone.user_name == "" and "anonymised_at" in (gone.extra or {})
    assert gone.intent == "repair" and gone.building == "3"  # statistics keep what they need
    assert not any(e.text and "水龙头" in e.text for e in events)
    assert kept.phone == "13812345678" and kept.chat_id == recent_chat  # not old enough yet
    assert not any(c.chat_id == RESIDENT for c in conversations)  # idle for months: deleted
    # the job planted its next run
    nxt = next(j for j in await h.app.scheduler.jobs() if j.job_id == "privacy:retention")
    assert nxt.run_at > h.clock.now()
    # the resident's own copy no longer holds the old ticket's words
    await h.say(RESIDENT, "/mydata")
    doc = [a for a, _ in h.sender.log if isinstance(a, SendDocument) and a.chat_id == RESIDENT]
    assert "水龙头" not in doc[-1].content.decode("utf-8")
