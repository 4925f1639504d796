"""Many neighbours reporting the same outage with no notice: one grouped ticket for staff,
the first reports' tickets merged into it, managers offered a notice, later reports join."""

from __future__ import annotations

from sqlalchemy import event, select

from bot.storage.models import OutageCluster, Ticket, TicketEvent
from bot.tickets.draft import TicketDraft
from bot.tickets.states import SYSTEM
from tests.notices.support import MANAGER, OTHER_MANAGER, add_residents
from tests.support.harness import Harness


async def report(
    h: Harness,
    who: str,
    *,
    building: str = "3",
    intent: str = "water_outage",
    words: str = "家里没水了",
) -> str | None:
    """What a resident flow does: ask the notices first, open a ticket when told None."""
    answer = await h.app.notices.answer_outage(
        chat_id=who,
        user_id=who,
        user_name=f"住户{who}",
        intent=intent,
        building=building,
        text=words,
        locale="zh",
    )
    if answer is None:
        await h.app.tickets.open_ticket(
            TicketDraft(
                chat_id=who,
                user_id=who,
                user_name=f"住户{who}",
                intent=intent,
                severity="urgent",
                description=words,
                building=building,
            )
        )
    await h.app.outbox.drain()
    return answer


async def tickets(h: Harness) -> list[Ticket]:
    async with h.app.db.session() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def test_the_fifth_report_groups_them(h: Harness) -> None:
    for i in range(4):
        assert await report(h, f"r{i}") is None
    assert len(await tickets(h)) == 4

    answer = await report(h, "r4")
    assert answer is not None and "我们已经知道3栋停水了" in answer and "5 位住户" in answer

    all_tickets = await tickets(h)
    assert len(all_tickets) == 5  # one more: the cluster ticket, not one per reporter
    cluster_ticket = all_tickets[-1]
    assert cluster_ticket.intent == "water_outage" and cluster_ticket.extra["outage_cluster"] == 1
    assert [t.status for t in all_tickets[:4]] == ["cancelled"] * 4  # merged into it
    async with h.app.db.session() as session:
        merged = (
            await session.scalars(select(TicketEvent).where(TicketEvent.kind == "merged"))
        ).all()
    assert {e.data["into"] for e in merged} == {cluster_ticket.id} and len(merged) == 4

    alert = h.chat(h.staff_chat)[-1]
    assert f"#{cluster_ticket.id}" in alert.plain and "[集中报修] 3栋停水" in alert.plain
    assert "5 位住户反映" in alert.plain and "已并入本单：#1 #2 #3 #4" in alert.plain
    assert all(f"住户r{i}" in alert.plain for i in range(5))
    assert f"tk:claim:{cluster_ticket.id}" in alert.button_data
    for old in h.chat(h.staff_chat)[:4]:
        assert not old.button_data  # the merged tickets' alerts cannot be claimed any more

    for i in range(4):
        assert f"已合并到工单 #{cluster_ticket.id}" in h.last(f"r{i}").plain
    for manager in (MANAGER, OTHER_MANAGER):
        offer = h.last(manager)
        assert "3栋：10 分钟内 5 位住户反映停水" in offer.plain and offer.button_data == ["nt:cl:1"]


async def test_later_reports_join_and_the_alert_is_edited(h: Harness) -> None:
    for i in range(5):
        await report(h, f"r{i}")
    staff_before = len(h.chat(h.staff_chat))
    answer = await report(h, "r5", words="六楼也没水")
    assert answer is not None and "6 位住户" in answer
    assert "6 位住户反映" not in h.chat(h.staff_chat)[-1].plain  # drawn at most every 6 s
    await h.tick(6)
    assert len(h.chat(h.staff_chat)) == staff_before  # edited, not a new message
    alert = h.chat(h.staff_chat)[-1]
    assert "6 位住户反映" in alert.plain and "住户r5" in alert.plain and "六楼也没水" in alert.plain
    assert len(await tickets(h)) == 5
    assert await report(h, "r5") is not None  # the same resident again: still 6
    await h.tick(6)
    assert "6 位住户反映" in h.chat(h.staff_chat)[-1].plain


async def test_the_same_resident_five_times_is_not_a_cluster(h: Harness) -> None:
    for _ in range(5):
        await h.app.notices.answer_outage(
            chat_id="r1",
            user_id="r1",
            user_name="王",
            intent="water_outage",
            building="3",
            text="没水",
            locale="zh",
        )
    assert await report(h, "r2") is None


async def test_other_buildings_kinds_and_old_reports_do_not_count(h: Harness) -> None:
    for i in range(2):
        await report(h, f"a{i}", building="4")
        await report(h, f"b{i}", intent="power_outage")
    await report(h, "c0")
    await report(h, "c1")
    h.clock.advance(601)
    await report(h, "c2")
    await report(h, "c3")
    assert await report(h, "c4") is None  # 3 in the window: not yet
    assert await report(h, "c5") is None
    assert await report(h, "c6") is not None  # five within ten minutes


async def test_a_claimed_first_ticket_stays_with_its_claimer(h: Harness) -> None:
    await report(h, "r0")
    first = (await tickets(h))[0]
    await h.app.tickets.transition(
        first.id, allowed=("open",), to="claimed", event="claimed", actor=SYSTEM
    )
    for i in range(1, 5):
        await report(h, f"r{i}")
    statuses = [t.status for t in await tickets(h)]
    assert statuses[0] == "claimed" and statuses[1:4] == ["cancelled"] * 3


async def test_a_resolved_cluster_ticket_ends_the_cluster(h: Harness) -> None:
    for i in range(5):
        await report(h, f"r{i}")
    cluster_ticket = (await tickets(h))[-1]
    await h.app.tickets.transition(
        cluster_ticket.id, allowed=("open",), to="resolved", event="resolved", actor=SYSTEM
    )
    assert await report(h, "r9") is None  # counting starts afresh
    async with h.app.db.session() as session:
        cluster = await session.get(OutageCluster, 1)
    assert cluster is not None and cluster.status == "closed"


async def test_a_manager_publishes_a_notice_from_the_cluster(h: Harness) -> None:
    registered = await add_residents(h.app, 3, buildings=["3"], prefix="z")
    for i in range(5):
        await report(h, f"r{i}")
    shown = await h.press(MANAGER, "nt:cl:1")
    assert "预计什么时候恢复" in shown[-1].plain  # kind, building and start come from the cluster
    await h.press(MANAGER, "nt:e:none")
    await h.press(MANAGER, "nt:r:0")
    preview = (await h.press(MANAGER, "nt:a:def"))[-1]
    # reported by residents: unplanned, already off (no "store water"), being repaired
    assert "【紧急停水通知】3栋" in preview.plain and "预计恢复：待定" in preview.plain
    assert "工作人员正在抢修" in preview.plain and "储存" not in preview.plain
    # the reporters' tickets told their building: 3 registered + 5 reporters
    assert "将发送给 8 位住户" in preview.plain
    await h.press(MANAGER, "nt:ok")
    assert all("停水通知" in h.last(c).plain for c in registered)
    assert all("停水通知" in h.last(f"r{i}").plain for i in range(5))  # reporters hear it too
    assert "已发布通知 #1" in h.chat(h.staff_chat)[-1].plain
    answer = await report(h, "r7")
    assert answer is not None and "正在停水" in answer  # from now on the notice answers
    shown = await h.press(OTHER_MANAGER, "nt:cl:1")
    assert "已经处理完了" in shown[-1].plain


class _Statements:
    """Counts the SQL statements the app's engine executes (behaviour: work per report)."""

    def __init__(self, h: Harness) -> None:
        self.count = 0
        self.engine = h.app.db.engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def test_an_outage_storm_costs_the_same_per_report_however_large(h: Harness) -> None:
    for i in range(5):
        await report(h, f"r{i}")
    statements = _Statements(h)
    costs: list[int] = []
    try:
        for i in range(5, 75):
            h.clock.advance(0.1)  # ten reports a second
            before = statements.count
            answer = await h.app.notices.answer_outage(
                chat_id=f"r{i}",
                user_id=f"r{i}",
                user_name=f"住户{i}",
                intent="water_outage",
                building="3",
                text="没水",
                locale="zh",
            )
            assert answer is not None
            costs.append(statements.count - before)
    finally:
        statements.close()
    # the 70th report in the cluster costs what the 6th did; the alert is redrawn at most
    # every 6 s, so over these 7 s at most two reports pay for a redraw, and it is bounded too
    usual = costs[0]
    assert costs[-1] == usual <= 10
    assert len([c for c in costs if c != usual]) <= 2 and max(costs) <= 2 * usual + 5


async def test_a_storm_edits_the_grouped_alert_at_most_every_six_seconds(h: Harness) -> None:
    for i in range(5):
        await report(h, f"r{i}")
    alert = h.chat(h.staff_chat)[-1]
    edits_before = alert.edits
    for i in range(5, 65):  # 60 reports, one a second
        await report(h, f"r{i}")
        await h.tick(1)
    alert = h.chat(h.staff_chat)[-1]
    assert 60 // 6 - 1 <= alert.edits - edits_before <= 60 // 6 + 1  # ~10 a minute, not 60
    assert "65 位住户反映" in alert.plain  # nothing is lost by coalescing
    description = (await tickets(h))[-1].description
    assert "住户r24" in description and "住户r25" not in description  # 25 listed
    assert "另有 40 位" in description
