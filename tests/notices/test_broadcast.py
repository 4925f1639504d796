"""Broadcasting a notice: every reachable resident gets exactly one copy, within the rate,
through 429s, 403s and network errors, and a kill in the middle resumes with no gap and no
duplicate. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.core.actions import Action, SendText
from bot.core.errors import Blocked, PermanentError, RetryAfter, TemporaryError
from bot.notices.broadcast import MAX_ATTEMPTS
from bot.notices.ratelimit import RateLimiter
from bot.notices.render import NoticeFacts
from bot.storage.models import Resident
from tests.notices.support import (
    MANAGER,
    VirtualTime,
    add_residents,
    deliveries,
    notice_harness,
    virtual_broadcaster,
)
from tests.support.recording_sender import RecordingSender

FACTS = NoticeFacts("water", [], None, None, "管道维修", "")


def notice_copies(sender: RecordingSender, prefix: str = "c") -> Counter[str]:
    return Counter(
        action.chat_id
        for action, _ in sender.log
        if isinstance(action, SendText)
        and action.chat_id.startswith(prefix)
        and "停水通知" in action.text
    )


# -- pacing -----------------------------------------------------------------------------------
async def test_the_rate_limiter_spaces_sends() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(25, now=vt.now, sleep=vt.sleep)
    times = []
    for _ in range(100):
        await limiter.acquire()
        times.append(vt.now())
    assert times[-1] - times[0] == pytest.approx(99 / 25)
    for i in range(len(times) - 25):
        assert times[i + 25] - times[i] >= 1.0 - 1e-9  # never more than 25 in a second


async def test_a_pause_holds_everyone() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(25, now=vt.now, sleep=vt.sleep)
    await limiter.acquire()
    limiter.pause(7)
    await limiter.acquire()
    assert vt.now() >= 7


async def test_unthrottled_never_waits() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(0, now=vt.now, sleep=vt.sleep)
    for _ in range(50):
        await limiter.acquire()
    assert vt.now() == 0 and not vt.sleeps


@dataclass
class TimedSender(RecordingSender):
    """Records the virtual time of every attempt, failed or not."""

    vt: VirtualTime = field(default_factory=VirtualTime)
    attempts: list[tuple[str, float, bool]] = field(default_factory=list)

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        try:
            mid = await super().deliver(
                action, reply_to_message_id=reply_to_message_id, target_message_id=target_message_id
            )
        except Exception:
            self.attempts.append((action.chat_id, self.vt.now(), False))
            raise
        self.attempts.append((action.chat_id, self.vt.now(), True))
        return mid


async def test_the_configured_rate_holds_for_a_whole_broadcast(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    try:
        vt = VirtualTime()
        sender = TimedSender(vt=vt)
        h.app.outbox.sender = sender
        virtual_broadcaster(h.app, vt, rate=25, concurrency=1)
        chats = await add_residents(h.app, 300)
        await h.app.notices.publish(FACTS, created_by=MANAGER, manager_chat_id=MANAGER)
        await h.app.notices.drain()
        times = sorted(t for chat, t, ok in sender.attempts if chat in set(chats))
        assert len(times) == 300
        for i in range(len(times) - 25):
            assert times[i + 25] - times[i] >= 1.0 - 1e-9
        assert 299 / 25 - 1e-6 <= times[-1] - times[0] < 299 / 25 + 1
    finally:
        await h.close()


# -- the 2,000-resident evidence ------------------------------------------------------------------
async def test_two_thousand_residents_through_429_403_and_network_errors(database_url: str) -> None:
    h = await notice_harness(database_url)
    try:
        vt = VirtualTime()
        sender = TimedSender(vt=vt)
        h.app.outbox.sender = sender
        virtual_broadcaster(h.app, vt, rate=1000)
        chats = await add_residents(h.app, 2000)
        blocked = set(chats[7::97])
        flooded = set(chats[3::150]) - blocked
        flaky = set(chats[11::83]) - blocked - flooded
        for chat in blocked:
            sender.fail_for[chat] = [Blocked("bot was blocked by the user")]
        for chat in flooded:
            sender.fail_for[chat] = [RetryAfter(5)]
        for chat in flaky:
            sender.fail_for[chat] = [TemporaryError("502"), TemporaryError("timeout")]

        notice, count, _ = await h.app.notices.publish(
            FACTS, created_by=MANAGER, manager_chat_id=MANAGER
        )
        assert count == 2000
        await h.app.notices.drain()
        await h.app.outbox.drain()

        copies = notice_copies(sender)
        reachable = set(chats) - blocked
        assert set(copies) == reachable
        assert set(copies.values()) == {1}  # exactly one copy each
        status = await deliveries(h.app, notice.id)
        assert {c for c, s in status.items() if s == "blocked"} == blocked
        assert {c for c, s in status.items() if s == "sent"} == reachable
        async with h.app.db.session() as session:
            unreachable = set(
                (await session.scalars(select(Resident.chat_id).where(Resident.unreachable))).all()
            )
        assert unreachable == blocked

        # retry_after honoured: nobody got a message until the pause was over
        for chat in flooded:
            failed_at = next(t for c, t, ok in sender.attempts if c == chat and not ok)
            sent_at = next(t for c, t, ok in sender.attempts if c == chat and ok)
            assert sent_at - failed_at >= 5 - 1e-9
        # temporary errors retried with a backoff
        assert {c for c, _, ok in sender.attempts if not ok} >= flaky

        summary = sender.last(MANAGER).plain
        sent = len(reachable)
        assert f"送达 {sent}/2000" in summary and "达到 90%" in summary
        progress = next(m for m in sender.messages(MANAGER) if "发送完毕" in m.plain)
        assert f"已送达 {sent}" in progress.plain and f"已屏蔽 {len(blocked)}" in progress.plain
    finally:
        await h.close()


@dataclass
class DyingSender(RecordingSender):
    """Delivers `survive` notices, then every further send hangs (Telegram stops answering)
    until `release` is set. `stuck` is set once `stuck_after` sends hang."""

    survive: int = 0
    stuck_after: int = 1
    hanging: int = 0
    stuck: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        if isinstance(action, SendText) and action.chat_id.startswith("c"):
            if sum(notice_copies(self).values()) >= self.survive:
                self.hanging += 1
                if self.hanging >= self.stuck_after:
                    self.stuck.set()
                await self.release.wait()
        return await super().deliver(
            action, reply_to_message_id=reply_to_message_id, target_message_id=target_message_id
        )


@dataclass
class CountingSender(RecordingSender):
    """Sets `reached` when `target` notices were delivered."""

    target: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        mid = await super().deliver(
            action, reply_to_message_id=reply_to_message_id, target_message_id=target_message_id
        )
        if sum(notice_copies(self).values()) >= self.target:
            self.reached.set()
        return mid


async def test_a_kill_in_the_middle_resumes_exactly(database_url: str) -> None:
    h = await notice_harness(database_url)
    dying = DyingSender(survive=700, stuck_after=h.app.notices.broadcaster.concurrency)
    h.app.outbox.sender = dying
    chats = await add_residents(h.app, 2000)
    blocked = set(chats[5::101])
    for chat in blocked:
        dying.fail_for[chat] = [Blocked()]
    notice, _, _ = await h.app.notices.publish(FACTS, created_by=MANAGER, manager_chat_id=MANAGER)

    task = asyncio.ensure_future(h.app.notices.drain())
    async with asyncio.timeout(60):
        await dying.stuck.wait()
    task.cancel()  # the kill: every worker is cut off mid-send
    with pytest.raises(asyncio.CancelledError):
        await task
    await h.close()
    first = notice_copies(dying)
    assert len(first) == 700

    h2 = await notice_harness(database_url)  # a new process on the same database
    try:
        second_sender = RecordingSender()
        h2.app.outbox.sender = second_sender
        for chat in blocked - set(first):
            second_sender.fail_for[chat] = [Blocked()]
        await h2.app.notices.drain()
        second = notice_copies(second_sender)
        assert not set(first) & set(second)  # no duplicate
        together = first + second
        assert set(together) == set(chats) - blocked and set(together.values()) == {1}  # no gap
        status = await deliveries(h2.app, notice.id)
        assert "pending" not in status.values()
        assert {c for c, s in status.items() if s == "blocked"} == blocked
    finally:
        await h2.close()


async def test_a_graceful_stop_lets_go_and_the_next_start_resumes(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    dying = DyingSender(survive=150)
    h.app.outbox.sender = dying
    chats = await add_residents(h.app, 400)
    await h.app.notices.publish(FACTS, created_by=MANAGER, manager_chat_id=MANAGER)
    stop = asyncio.Event()
    loop = asyncio.ensure_future(h.app.notices.run(stop))
    async with asyncio.timeout(30):
        await dying.stuck.wait()
    stop.set()  # a deploy: the sends in flight finish (and are recorded), nothing new starts
    dying.release.set()
    async with asyncio.timeout(30):
        await loop
    await h.close()
    assert 150 <= sum(notice_copies(dying).values()) < 400

    h2 = await notice_harness(sqlite_url)
    try:
        sender = CountingSender(target=400 - sum(notice_copies(dying).values()))
        h2.app.outbox.sender = sender
        stop2 = asyncio.Event()
        loop2 = asyncio.ensure_future(h2.app.notices.run(stop2))  # what App.start runs
        async with asyncio.timeout(30):
            await sender.reached.wait()
        stop2.set()
        await loop2
        together = notice_copies(dying) + notice_copies(sender)
        assert set(together) == set(chats) and set(together.values()) == {1}
    finally:
        await h2.close()


@dataclass
class SlowAnswerSender(RecordingSender):
    """A send to `slow` reaches "Telegram" at once (it is logged) and its answer comes only
    when `answer` is set: a request in flight."""

    slow: str = ""
    answer: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        mid = await super().deliver(
            action, reply_to_message_id=reply_to_message_id, target_message_id=target_message_id
        )
        if action.chat_id == self.slow:
            await self.answer.wait()
        return mid


async def test_a_failed_record_does_not_cut_off_a_send_in_flight(sqlite_url: str) -> None:
    """The database fails while one send is recorded: the other worker's send, already on its
    way, is still answered and recorded, so the next run does not send it again."""
    h = await notice_harness(sqlite_url)
    try:
        vt = VirtualTime()
        broadcaster = virtual_broadcaster(h.app, vt, rate=0, concurrency=2)
        chats = await add_residents(h.app, 4)
        sender = SlowAnswerSender(slow=chats[1])
        h.app.outbox.sender = sender
        write = broadcaster.recorder._write
        failed: list[int] = []

        async def failing_once(batch):  # type: ignore[no-untyped-def]
            if not failed:
                failed.append(len(batch))
                asyncio.get_running_loop().call_later(0.05, sender.answer.set)
                raise ConnectionError("the database went away")
            return await write(batch)

        broadcaster.recorder._write = failing_once  # type: ignore[method-assign]
        notice, _, _ = await h.app.notices.publish(
            FACTS, created_by=MANAGER, manager_chat_id=MANAGER
        )
        with pytest.raises(ConnectionError):
            await h.app.notices.runs.drain()
        assert failed == [1] and notice_copies(sender)[chats[1]] == 1
        status = await deliveries(h.app, notice.id)
        assert status[chats[1]] == "sent"  # answered after the failure, and recorded
        await h.app.notices.drain()
        copies = notice_copies(sender)
        assert copies[chats[1]] == 1  # not sent again
        assert set(copies) == set(chats)  # the failed record's resident is not lost
        assert "pending" not in (await deliveries(h.app, notice.id)).values()
    finally:
        await h.close()


async def test_errors_that_do_not_heal_are_recorded_as_failed(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    try:
        vt = VirtualTime()
        virtual_broadcaster(h.app, vt, rate=0)
        chats = await add_residents(h.app, 10)
        h.sender.fail_for[chats[0]] = [PermanentError("chat not found")]
        h.sender.fail_for[chats[1]] = [TemporaryError("down")] * MAX_ATTEMPTS
        notice, _, _ = await h.app.notices.publish(
            FACTS, created_by=MANAGER, manager_chat_id=MANAGER
        )
        await h.app.notices.drain()
        await h.app.outbox.drain()
        status = await deliveries(h.app, notice.id)
        assert status[chats[0]] == "failed" and status[chats[1]] == "failed"
        assert sum(s == "sent" for s in status.values()) == 8
        assert "失败 2" in h.last(MANAGER).plain and "低于 90%" in h.last(MANAGER).plain
    finally:
        await h.close()


async def test_known_unreachable_residents_are_recorded_not_sent(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    try:
        chats = await add_residents(h.app, 5)
        await h.app.profiles.mark_unreachable(chats[0])
        notice, count, _ = await h.app.notices.publish(
            FACTS, created_by=MANAGER, manager_chat_id=MANAGER
        )
        await h.app.notices.drain()
        assert count == 5
        assert chats[0] not in notice_copies(h.sender)
        assert (await deliveries(h.app, notice.id))[chats[0]] == "blocked"
    finally:
        await h.close()


async def test_only_registered_residents_of_the_buildings(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    try:
        in_3 = await add_residents(h.app, 4, buildings=["3", "3-2"], prefix="c")
        elsewhere = await add_residents(h.app, 4, buildings=["4", "13"], prefix="c", start=100)
        no_consent = await add_residents(
            h.app, 2, buildings=["3"], prefix="c", start=200, consent=False
        )
        facts = NoticeFacts("water", ["3"], None, None, "管道维修", "")
        await h.app.notices.publish(facts, created_by=MANAGER, manager_chat_id=MANAGER)
        await h.app.notices.drain()
        assert set(notice_copies(h.sender)) == set(in_3)
        assert not set(notice_copies(h.sender)) & set(elsewhere + no_consent)
    finally:
        await h.close()


async def test_residents_read_their_own_language(sqlite_url: str) -> None:
    h = await notice_harness(sqlite_url)
    try:
        zh = await add_residents(h.app, 2)
        en = await add_residents(h.app, 2, start=10, locale="en")
        await h.app.notices.publish(FACTS, created_by=MANAGER, manager_chat_id=MANAGER)
        await h.app.notices.drain()
        assert all("停水通知" in h.last(c).plain for c in zh)
        assert all("Water cut notice" in h.last(c).plain for c in en)
    finally:
        await h.close()
