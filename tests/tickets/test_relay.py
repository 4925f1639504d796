"""Relay both ways: the resident's messages under the alert, staff replies to the resident
as "物业客服", text and photos, all on the ticket's timeline."""

from __future__ import annotations

from bot.core.actions import SendPhoto
from bot.core.incoming import Attachment, AttachmentKind, ChatKind, Incoming
from bot.tickets.relay import Relay
from tests.tickets.conftest import RESIDENT, STAFF_A, STAFF_B, SUPERVISOR, Desk


def from_resident(text: str | None = None, attachment: Attachment | None = None) -> Incoming:
    return Incoming(
        update_id="x",
        chat_id=RESIDENT,
        user_id=RESIDENT,
        chat_kind=ChatKind.PRIVATE,
        user_name="王女士",
        text=text,
        attachment=attachment,
    )


async def test_resident_text_goes_to_the_group_as_a_reply_to_the_alert(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.app.tickets.relay_from_resident(ticket, from_resident("水还在漏 <快来>"))
    await desk.app.outbox.drain()
    relayed = desk.h.last(desk.group)
    assert relayed.reply_to == desk.alert(ticket.id).message_id
    assert f"#{ticket.id} 住户：" in relayed.plain and "水还在漏 <快来>" in relayed.plain
    assert "&lt;快来&gt;" in relayed.text
    events = await desk.app.tickets.events(ticket.id)
    assert (events[-1].kind, events[-1].actor_kind, events[-1].text) == (
        "message_in",
        "resident",
        "水还在漏 <快来>",
    )


async def test_resident_photo_is_passed_by_file_id(desk: Desk) -> None:
    ticket = await desk.open()
    photo = Attachment(AttachmentKind.PHOTO, file_id="FILE-123")
    await desk.app.tickets.relay_from_resident(ticket, from_resident("天花板", photo))
    await desk.app.outbox.drain()
    action, _ = desk.h.sender.log[-1]
    assert (
        isinstance(action, SendPhoto)
        and action.photo == "FILE-123"
        and action.chat_id == desk.group
    )
    shown = desk.h.last(desk.group)
    assert shown.kind == "photo" and shown.reply_to == desk.alert(ticket.id).message_id
    assert "天花板" in shown.plain
    events = await desk.app.tickets.events(ticket.id)
    assert events[-1].data == {"attachment": "photo", "file_id": "FILE-123"}


async def test_what_cannot_be_passed_on_is_announced_with_the_phone(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.app.tickets.relay_from_resident(
        ticket, from_resident(None, Attachment(AttachmentKind.VOICE, file_id="V"))
    )
    await desk.app.outbox.drain()
    assert (
        "语音" in desk.h.last(desk.group).plain and "13812345678" in desk.h.last(desk.group).plain
    )
    location = Attachment(AttachmentKind.LOCATION, latitude=22.54, longitude=114.05)
    await desk.app.tickets.relay_from_resident(ticket, from_resident(None, location))
    await desk.app.outbox.drain()
    assert "22.54, 114.05" in desk.h.last(desk.group).plain


async def test_staff_reply_to_the_alert_reaches_the_resident_as_the_role(desk: Desk) -> None:
    ticket = await desk.open()
    alert = desk.alert(ticket.id)
    await desk.h.say(
        desk.group,
        "我们5分钟到，请先开窗 <别开灯>",
        user=STAFF_A,
        name="张师傅",
        reply_to=alert.message_id,
    )
    reply = desk.h.last(RESIDENT)
    assert reply.plain.startswith("物业客服")
    assert "我们5分钟到，请先开窗 <别开灯>" in reply.plain and "&lt;别开灯&gt;" in reply.text
    assert "张师傅" not in reply.plain and STAFF_A not in reply.plain
    events = await desk.app.tickets.events(ticket.id)
    assert (events[-1].kind, events[-1].actor_id, events[-1].actor_name) == (
        "message_out",
        STAFF_A,
        "张师傅",
    )


async def test_staff_photo_reply_reaches_the_resident(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.say(
        desk.group,
        "阀门在这里",
        user=STAFF_B,
        reply_to=desk.alert(ticket.id).message_id,
        attachment=Attachment(AttachmentKind.PHOTO, file_id="STAFF-PHOTO"),
    )
    action, _ = desk.h.sender.log[-1]
    assert (
        isinstance(action, SendPhoto)
        and action.chat_id == RESIDENT
        and action.photo == "STAFF-PHOTO"
    )
    assert (
        action.caption is not None
        and "物业客服" in action.caption
        and "阀门在这里" in action.caption
    )


async def test_a_conversation_both_ways_through_relayed_messages(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.app.tickets.relay_from_resident(ticket, from_resident("门打不开"))
    await desk.app.outbox.drain()
    relayed = desk.h.last(desk.group)
    # replying to the relayed message (not the alert) also reaches the resident
    await desk.h.say(desk.group, "请稍等，马上到", user=STAFF_A, reply_to=relayed.message_id)
    assert "请稍等，马上到" in desk.h.last(RESIDENT).plain
    kinds = [e.kind for e in await desk.app.tickets.events(ticket.id)]
    assert kinds[-2:] == ["message_in", "message_out"]


async def test_staff_voice_reply_is_not_passed_and_the_group_is_told(desk: Desk) -> None:
    ticket = await desk.open()
    before = len(desk.h.chat(RESIDENT))
    await desk.h.say(
        desk.group,
        None,
        user=STAFF_A,
        reply_to=desk.alert(ticket.id).message_id,
        attachment=Attachment(AttachmentKind.VOICE, file_id="VOICE"),
    )
    assert len(desk.h.chat(RESIDENT)) == before
    assert "只能把文字和照片转给住户" in desk.h.last(desk.group).plain


async def test_group_chatter_and_replies_to_other_messages_stay_in_the_group(desk: Desk) -> None:
    ticket = await desk.open()
    before = len(desk.h.sender.log)
    await desk.h.say(desk.group, "谁在3栋附近？", user=STAFF_A)
    chatter_id = desk.h.sender.next_id  # the id the harness gave that incoming message
    await desk.h.say(desk.group, "我在", user=STAFF_B, reply_to=chatter_id)
    assert len(desk.h.sender.log) == before
    assert await desk.event_kinds(ticket.id) == ["created"]


async def test_relay_is_reachable_through_the_service_contract(desk: Desk) -> None:
    assert isinstance(desk.app.tickets.relay, Relay)
    ticket = await desk.open()
    active = await desk.app.tickets.active_ticket_for(RESIDENT)
    assert active is not None and active.id == ticket.id


async def test_a_supervisor_replies_to_an_escalation_from_the_private_chat(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.tick(300)
    await desk.h.tick(300)  # the second reminder: the supervisors are told in private
    (escalation,) = desk.h.chat(SUPERVISOR)
    await desk.h.say(
        SUPERVISOR,
        "我是主管，已安排人马上到",
        user=SUPERVISOR,
        name="陈主管",
        reply_to=escalation.message_id,
    )
    reply = desk.h.last(RESIDENT)
    assert (
        reply.plain.startswith("物业客服")
        and "已安排人马上到" in reply.plain
        and "陈主管" not in reply.plain
    )
    events = await desk.app.tickets.events(ticket.id)
    assert (events[-1].kind, events[-1].actor_id) == ("message_out", SUPERVISOR)


async def test_a_resident_replying_to_a_bot_message_is_not_taken_for_staff(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    told = desk.h.last(RESIDENT)
    staff = desk.app.router.handlers[0]
    incoming = Incoming(
        update_id="r",
        chat_id=RESIDENT,
        user_id=RESIDENT,
        chat_kind=ChatKind.PRIVATE,
        text="好的",
        reply_to_message_id=told.message_id,
    )
    assert not await staff.accepts(incoming)
