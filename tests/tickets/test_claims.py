"""Claiming and the state machine: atomic in the database, staff only, every step recorded."""

from __future__ import annotations

import asyncio

from bot.storage.models import TicketStatus
from tests.tickets.conftest import OTHER_RESIDENT, RESIDENT, STAFF_A, STAFF_B, SUPERVISOR, Desk


async def test_two_staff_pressing_at_once_one_wins_the_other_is_told_who(any_db_desk: Desk) -> None:
    desk = any_db_desk
    ticket = await desk.open()
    await asyncio.gather(
        desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅"),
        desk.staff(f"tk:claim:{ticket.id}", STAFF_B, "李师傅"),
    )
    fresh = await desk.ticket(ticket.id)
    assert fresh.status == TicketStatus.CLAIMED
    winner = "张师傅" if fresh.claimed_by == STAFF_A else "李师傅"
    answers = sorted(desk.answers())
    assert answers == sorted(
        [f"#{ticket.id} 已由您接单，请尽快到场。", f"#{ticket.id} 已由 {winner} 接单。"]
    )
    assert (await desk.event_kinds(ticket.id)).count("claimed") == 1
    told = [m for m in desk.h.chat(RESIDENT) if "工作人员已接单" in m.plain]
    assert len(told) == 1  # the resident hears it once
    assert f"{winner} 接单" in desk.alert(ticket.id).plain


async def test_many_tickets_many_presses_each_claimed_once(any_db_desk: Desk) -> None:
    desk = any_db_desk
    tickets = [await desk.open(chat_id=str(3000 + i), user_id=str(3000 + i)) for i in range(3)]
    presses = [
        desk.staff(f"tk:claim:{t.id}", who, who)
        for t in tickets
        for who in (STAFF_A, STAFF_B, "503")
    ]
    await asyncio.gather(*presses)
    for t in tickets:
        assert (await desk.event_kinds(t.id)).count("claimed") == 1
        assert (await desk.ticket(t.id)).claimed_by in (STAFF_A, STAFF_B, "503")


async def test_the_winner_pressing_again_is_told_it_is_already_theirs(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A)
    assert "已经是您在处理" in desk.last_answer()


async def test_full_path_every_step_recorded_with_time_and_actor(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.tick(60)
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.tick(600)
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_A, "张师傅")
    await desk.h.tick(900)
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    fresh = await desk.ticket(ticket.id)
    assert fresh.status == TicketStatus.RESOLVED
    assert fresh.claimed_at and fresh.on_site_at and fresh.resolved_at
    assert (fresh.claimed_at - fresh.created_at).total_seconds() == 60
    assert (fresh.on_site_at - fresh.created_at).total_seconds() == 660
    assert (fresh.resolved_at - fresh.created_at).total_seconds() == 1560
    events = [
        e
        for e in await desk.app.tickets.events(ticket.id)
        if e.kind in ("claimed", "on_site", "resolved")
    ]
    assert [(e.kind, e.actor_kind, e.actor_id, e.actor_name) for e in events] == [
        ("claimed", "staff", STAFF_A, "张师傅"),
        ("on_site", "staff", STAFF_A, "张师傅"),
        ("resolved", "staff", STAFF_A, "张师傅"),
    ]
    resident = [m.plain for m in desk.h.chat(RESIDENT)]
    assert any("工作人员已接单" in t for t in resident)
    assert any("工作人员已到场" in t for t in resident)
    assert any("问题解决了吗" in t for t in resident)
    assert all("张师傅" not in t for t in resident)  # the role, never the person


async def test_on_site_or_resolve_without_claim_claims_on_the_way(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_B, "李师傅")
    fresh = await desk.ticket(ticket.id)
    assert (
        fresh.status == TicketStatus.ON_SITE
        and fresh.claimed_by == STAFF_B
        and fresh.claimed_by_name == "李师傅"
    )
    other = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    await desk.staff(f"tk:claim:{other.id}", STAFF_A, "张师傅")
    await desk.staff(f"tk:resolve:{other.id}", STAFF_B, "李师傅")  # a colleague finishes it
    fresh = await desk.ticket(other.id)
    assert (
        fresh.status == TicketStatus.RESOLVED and fresh.claimed_by == STAFF_A
    )  # the claimer stays


async def test_resident_forging_a_staff_button_changes_nothing(desk: Desk) -> None:
    ticket = await desk.open()
    shown = await desk.h.press(RESIDENT, f"tk:claim:{ticket.id}", user=RESIDENT)
    assert desk.last_answer() == "这个按钮仅限物业工作人员使用。"
    assert shown == []  # nothing sent, nothing edited
    fresh = await desk.ticket(ticket.id)
    assert fresh.status == TicketStatus.OPEN and fresh.claimed_by is None
    for data in (f"tk:resolve:{ticket.id}", f"tk:onsite:{ticket.id}", f"tk:reported:{ticket.id}"):
        await desk.h.press(OTHER_RESIDENT, data, user=OTHER_RESIDENT)
        assert desk.last_answer() == "这个按钮仅限物业工作人员使用。"
    assert (await desk.ticket(ticket.id)).status == TicketStatus.OPEN
    assert await desk.event_kinds(ticket.id) == ["created"]


async def test_malformed_and_unknown_ticket_buttons_get_a_polite_answer(desk: Desk) -> None:
    ticket = await desk.open()
    for data in (
        "tk:claim",
        "tk:claim:abc",
        "tk:claim:1:extra",
        "tk:fly:1",
        "tk:rate:1:9",
        "tk:fixed:1:maybe",
    ):
        await desk.staff(data)
        assert desk.last_answer() == "这个按钮已失效。"
    await desk.staff("tk:claim:999")
    assert desk.last_answer() == "找不到工单 #999。"
    assert (await desk.ticket(ticket.id)).status == TicketStatus.OPEN


async def test_a_button_for_a_ticket_that_moved_on_does_nothing(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_A, "张师傅")
    await desk.staff(f"tk:resolve:{ticket.id}", STAFF_A, "张师傅")
    before = await desk.event_kinds(ticket.id)
    edits = desk.alert(ticket.id).edits
    await desk.staff(f"tk:onsite:{ticket.id}", STAFF_B, "李师傅")  # a stale button (a replay)
    assert "这个按钮已不适用" in desk.last_answer()
    await desk.staff(f"tk:claim:{ticket.id}", STAFF_B, "李师傅")
    assert "这个按钮已不适用" in desk.last_answer()
    assert await desk.event_kinds(ticket.id) == before
    assert desk.alert(ticket.id).edits == edits


async def test_staff_accounts_may_act_from_a_private_chat(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.h.press(SUPERVISOR, f"tk:claim:{ticket.id}", user=SUPERVISOR, name="陈主管")
    fresh = await desk.ticket(ticket.id)
    assert fresh.claimed_by == SUPERVISOR and fresh.claimed_by_name == "陈主管"
    assert "陈主管 接单" in desk.alert(ticket.id).plain
    other = await desk.open(chat_id=OTHER_RESIDENT, user_id=OTHER_RESIDENT)
    await desk.h.press("601", f"tk:claim:{other.id}", user="601", name="值班员")  # STAFF_IDS
    assert (await desk.ticket(other.id)).claimed_by == "601"


async def test_a_replayed_update_is_handled_once(desk: Desk) -> None:
    from bot.core.incoming import ChatKind, Incoming

    ticket = await desk.open()
    press = Incoming(
        update_id="same-update",
        chat_id=desk.group,
        user_id=STAFF_A,
        chat_kind=ChatKind.GROUP,
        user_name="张师傅",
        button_data=f"tk:claim:{ticket.id}",
        callback_id="cb-same",
    )
    await desk.app.handle(press)
    await desk.app.handle(press)
    await desk.app.outbox.drain()
    assert (await desk.event_kinds(ticket.id)).count("claimed") == 1
    assert len(desk.answers()) == 1


async def test_in_a_private_chat_only_the_claimer_or_staff_accounts_may_press(desk: Desk) -> None:
    ticket = await desk.open()
    await desk.staff(
        f"tk:claim:{ticket.id}", STAFF_A, "张师傅"
    )  # in the group: STAFF_A is staff there
    # STAFF_B is not in STAFF_IDS: privately, a button for a ticket they did not claim does nothing
    await desk.h.press(STAFF_B, f"tk:resolve:{ticket.id}", user=STAFF_B)
    assert desk.last_answer() == "这个按钮仅限物业工作人员使用。"
    assert (await desk.ticket(ticket.id)).status == TicketStatus.CLAIMED
    # the claimer may (the on-site reminder comes to their private chat)
    await desk.h.press(STAFF_A, f"tk:onsite:{ticket.id}", user=STAFF_A, name="张师傅")
    assert (await desk.ticket(ticket.id)).status == TicketStatus.ON_SITE
