"""Several bot processes on one PostgreSQL (bot/cluster.py): here several apps in one test
process, each with its own engine, connections, outbox worker, intake and scheduler, all
talking to one recording "Telegram". What must hold: every update handled once, every
message sent once and in order per chat, a job run once, the lead handed over when the
leader dies, the broadcast rate shared."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import EditText, SendText, action_to_dict
from bot.core.clock import Clock, FakeClock, SystemClock
from bot.core.incoming import ChatKind, Incoming
from bot.notices.shared_rate import PostgresSlots, RedisSlots, SharedRateLimiter
from bot.storage.models import InboxUpdate, OutboxMessage, OutboxStatus, ProcessedUpdate, Ticket
from tests.support.recording_sender import RecordingSender

pytestmark = pytest.mark.postgres

LIFE_SAVING = "不要开关任何电灯"
WAIT = 90.0  # seconds a test waits for the apps at most before it fails


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        await asyncio.sleep(0.05)


class Apps:
    def __init__(self, url: str, classifier: Any, clock: Clock) -> None:
        self.url, self.classifier, self.clock = url, classifier, clock
        self.apps: list[App] = []
        self.telegram = RecordingSender()

    async def add(self, *, sender: RecordingSender | None = None) -> App:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=self.url, multi_process=True,
            broadcast_rate_per_second=50,
        )
        app = await create_app(settings, clock=self.clock, classifier=self.classifier)
        app.intake.spool_path = app.intake.spool_path.with_name(f"spool-{app.cluster.instance}.jsonl")
        app.outbox.sender = sender or self.telegram
        await app.start()
        self.apps.append(app)
        return app

    async def close(self) -> None:
        for app in self.apps:
            await app.stop()

    async def settled(self) -> bool:
        for app in self.apps:
            if not app.intake._idle.is_set():
                return False
        return await self.apps[0].outbox.pending_count() == 0


@pytest.fixture
async def fake_clock_apps(postgres_url: str, classifier: Any) -> AsyncIterator[Apps]:
    apps = Apps(postgres_url, classifier, FakeClock())
    try:
        yield apps
    finally:
        await apps.close()


@pytest.fixture
async def real_clock_apps(postgres_url: str, classifier: Any) -> AsyncIterator[Apps]:
    apps = Apps(postgres_url, classifier, SystemClock())
    try:
        yield apps
    finally:
        await apps.close()


def _report(n: int, update: str, text: str, clock: Clock) -> Incoming:
    chat = str(5000 + n)
    return Incoming(
        update_id=update, chat_id=chat, user_id=chat, chat_kind=ChatKind.PRIVATE,
        user_name=f"resident{n}", language_code="zh-hans", text=text, message_id=n,
        time=clock.now(),
    )


async def test_a_burst_split_over_three_processes_is_handled_once_and_in_order(
    fake_clock_apps: Apps,
) -> None:
    apps = fake_clock_apps
    a, b, c = [await apps.add() for _ in range(3)]
    assert sum(app.cluster.leading for app in (a, b, c)) == 1
    residents = 30
    for n in range(residents):
        report = _report(n, f"r{n}", f"{n % 9 + 1}栋{1200 + n}厨房有煤气味，电话1380000{n:04d}", apps.clock)
        await (a, b, c)[n % 3].receive(report)
        if n % 5 == 0:  # Telegram sends it again, to another process behind the balancer
            await (a, b, c)[(n + 1) % 3].receive(report)
    await until(apps.settled, "every update handled and every message sent")

    async with a.db.session() as session:
        tickets = (await session.execute(select(Ticket.chat_id, func.count()).group_by(Ticket.chat_id))).all()
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        left = await session.scalar(select(func.count()).select_from(InboxUpdate))
    assert len(tickets) == residents and all(n == 1 for _, n in tickets)  # each ticket once
    assert processed == residents and left == 0
    assert all(row.status == OutboxStatus.SENT for row in rows)

    delivered: dict[str, list[str]] = defaultdict(list)
    for action, _ in apps.telegram.log:
        if isinstance(action, SendText):
            delivered[action.chat_id].append(action.text)
    stored: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.action.get("type", "send_text") in ("send_text", "SendText") or "text" in row.action:
            if row.action.get("text") is not None and "target" not in row.action:
                stored[row.chat_id].append(row.action["text"])
    for n in range(residents):
        chat = str(5000 + n)
        lines = [text for text in delivered[chat] if LIFE_SAVING in text]
        assert len(lines) == 1, f"chat {chat}: life-saving line sent {len(lines)} times"
        assert delivered[chat] == stored[chat], f"chat {chat}: not in the order stored"
        assert delivered[chat][0].count(LIFE_SAVING) == 1 and LIFE_SAVING in delivered[chat][0]
    # the staff group: one alert per ticket, none twice
    alerts = Counter(text for text in delivered[a.settings.staff_chat_id])
    assert alerts and max(alerts.values()) == 1
    # the work was shared: rows were claimed by more than one process
    assert len({row.claimed_by for row in rows if row.claimed_by}) >= 2


async def test_updates_of_a_process_that_died_are_adopted_and_handled_once(
    fake_clock_apps: Apps,
) -> None:
    apps = fake_clock_apps
    a = await apps.add()
    async with a.db.transaction() as session:  # stored by a process that is gone
        for n in range(3):
            report = _report(n, f"orphan{n}", f"{n + 1}栋{1300 + n}厨房有煤气味，电话1390000{n:04d}", apps.clock)
            session.add(InboxUpdate(key=report.update_id, chat_id=report.chat_id,
                                    payload=report.to_dict(), received_at=apps.clock.now(),
                                    owner="12345"))
        session.add(OutboxMessage(  # claimed by it, its lease still running
            chat_id="5999", action=action_to_dict(SendText("5999", "left by the dead one")),
            status=OutboxStatus.PENDING, attempts=0, created_at=apps.clock.now(),
            claimed_by="12345", claimed_until=apps.clock.now() + timedelta(seconds=120)))
    b = await apps.add()  # a new process adopts them at its start, or the leader at its round
    await until(apps.settled, "orphans handled")
    async with b.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 0
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 3
    for n in range(3):
        lines = [m for m in apps.telegram.messages(str(5000 + n)) if LIFE_SAVING in m.text]
        assert len(lines) == 1
    assert [m.text for m in apps.telegram.messages("5999")] == ["left by the dead one"]


async def test_a_job_runs_once_whichever_process_scheduled_it(real_clock_apps: Apps) -> None:
    apps = real_clock_apps
    ran: list[tuple[str, int]] = []
    a, b, c = [await apps.add() for _ in range(3)]
    for app in (a, b, c):
        def handler(app: App = app) -> Callable[[dict[str, Any]], Awaitable[None]]:
            async def run(payload: dict[str, Any]) -> None:
                ran.append((app.cluster.instance, payload["n"]))
            return run
        app.scheduler.register("test.ping", handler())
    soon = datetime.now(UTC) + timedelta(seconds=0.5)
    for n in range(9):
        await (a, b, c)[n % 3].scheduler.schedule("test.ping", soon, {"n": n}, f"ping:{n}")

    async def all_ran() -> bool:
        pending = [j for j in await a.scheduler.jobs() if j.kind == "test.ping"]
        return len({n for _, n in ran}) == 9 and not pending

    await until(all_ran, "nine reminders")
    for app in (a, b, c):  # every process had time to look at the store again
        app.scheduler._scheduler.wakeup()
    await asyncio.sleep(1.5)
    assert sorted(n for _, n in ran) == list(range(9))  # each once
    leader = next(app for app in (a, b, c) if app.cluster.leading)
    assert {who for who, _ in ran} == {leader.cluster.instance}


async def test_when_the_leader_dies_another_takes_over_the_jobs(real_clock_apps: Apps) -> None:
    apps = real_clock_apps
    ran: list[str] = []
    a = await apps.add()
    b = await apps.add()
    assert a.cluster.leading and not b.cluster.leading
    for app in (a, b):
        def handler(app: App = app) -> Callable[[dict[str, Any]], Awaitable[None]]:
            async def run(payload: dict[str, Any]) -> None:
                ran.append(app.cluster.instance)
            return run
        app.scheduler.register("test.ping", handler())
    await b.scheduler.schedule(
        "test.ping", datetime.now(UTC) + timedelta(seconds=2), {}, "ping:after-death"
    )
    await a.cluster.abandon()  # its connection drops as in a crash: PostgreSQL frees its locks
    apps.apps.remove(a)
    await a.stop()  # (a dead process runs nothing more)

    async def b_leads() -> bool:
        return b.cluster.leading

    await until(b_leads, "the other process leads")

    async def ran_once() -> bool:
        return bool(ran)

    await until(ran_once, "the reminder after the leader died")
    assert ran == [b.cluster.instance]


async def test_a_broadcast_rate_is_shared_by_every_process(postgres_url: str) -> None:
    from bot.storage.db import Database

    db = Database(postgres_url)
    second = Database(postgres_url)
    try:
        await db.upgrade()
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        one = SharedRateLimiter(PostgresSlots(db), 10, sleep=sleep)
        two = SharedRateLimiter(PostgresSlots(second), 10, sleep=sleep)
        await asyncio.gather(*(limiter.acquire() for limiter in [one, two] * 10))
        # twenty sends at 10 a second between two processes: the last waits about 1.9 s
        assert len(slept) >= 18 and max(slept) > 1.5
        await one.pause(30)
        before = len(slept)
        await two.acquire()
        assert slept[before] > 25  # a 429 seen by one process holds the other back too
    finally:
        await db.dispose()
        await second.dispose()


async def test_the_broadcast_rate_in_redis() -> None:
    pytest.importorskip("redis")
    import redis.asyncio as redis

    client = redis.from_url("redis://127.0.0.1:6379/15")
    try:
        await client.ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
    finally:
        await client.aclose()
    slots = RedisSlots("redis://127.0.0.1:6379/15", prefix=f"test:{id(client)}:")
    try:
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        limiter = SharedRateLimiter(slots, 10, sleep=sleep)
        other = SharedRateLimiter(slots, 10, sleep=sleep)
        await asyncio.gather(*(x.acquire() for x in [limiter, other] * 10))
        assert len(slept) >= 18 and max(slept) > 1.5
        await limiter.pause(30)
        await other.acquire()
        assert slept[-1] > 25
    finally:
        await slots.close()


async def test_one_chats_updates_at_two_processes_are_handled_one_at_a_time_in_order(
    fake_clock_apps: Apps,
) -> None:
    apps = fake_clock_apps
    a, b = await apps.add(), await apps.add()
    residents = 12
    for n in range(residents):
        first, then = (a, b) if n % 2 else (b, a)
        await first.receive(_report(n, f"o{n}a", f"{n % 9 + 1}栋{1400 + n}厨房有煤气味", apps.clock))
        await then.receive(_report(n, f"o{n}b", f"电话1370000{n:04d}", apps.clock))
    await until(apps.settled, "every update handled")
    async with a.db.session() as session:
        tickets = (await session.scalars(select(Ticket).order_by(Ticket.id))).all()
    assert len(tickets) == residents
    by_chat = {t.chat_id: t for t in tickets}
    for n in range(residents):
        chat = str(5000 + n)
        assert by_chat[chat].phone == f"1370000{n:04d}", f"chat {chat}: the phone went astray"
        texts = [m.text for m in apps.telegram.messages(chat)]
        assert sum(LIFE_SAVING in t for t in texts) == 1 and LIFE_SAVING in texts[0]


async def test_a_storm_over_two_processes_edits_the_grouped_alert_at_most_every_six_seconds(
    fake_clock_apps: Apps,
) -> None:
    """The grouped alert's pause between two drawings holds for all processes together
    (each process keeping its own would let two of them edit it twice as often)."""
    clock = fake_clock_apps.clock
    assert isinstance(clock, FakeClock)
    edited_at: list[datetime] = []

    class Telegram(RecordingSender):
        async def deliver(self, action: Any, **kw: Any) -> int | None:
            if isinstance(action, EditText):
                edited_at.append(clock.now())
            return await super().deliver(action, **kw)

    telegram = fake_clock_apps.telegram = Telegram()
    first = await fake_clock_apps.add()
    second = await fake_clock_apps.add()

    async def report(app: App, n: int) -> None:
        who = f"r{n}"
        answer = await app.notices.answer_outage(
            chat_id=who, user_id=who, user_name=f"住户{n}", intent="water_outage",
            building="3", text="家里没水了", locale="zh",
        )
        if answer is None:
            from bot.tickets.draft import TicketDraft

            await app.tickets.open_ticket(TicketDraft(
                chat_id=who, user_id=who, user_name=f"住户{n}", intent="water_outage",
                severity="urgent", description="家里没水了", building="3",
            ))

    for n in range(5):  # the fifth forms the cluster and posts its alert
        await report(first, n)
    await first.outbox.drain()
    alert = telegram.messages(first.settings.staff_chat_id)[-1]
    edits_before = alert.edits
    edited_at.clear()  # the drawings of the cluster's forming are not the storm's
    for n in range(5, 65):  # 60 reports, one a second, alternating between the processes
        await report(first if n % 2 else second, n)
        clock.advance(1)
        await first.scheduler.run_due()
        await first.outbox.drain()
        await second.outbox.drain()
    clock.advance(7)
    await first.scheduler.run_due()
    await first.outbox.drain()
    alert = telegram.messages(first.settings.staff_chat_id)[-1]
    assert 60 // 6 - 1 <= alert.edits - edits_before <= 60 // 6 + 2  # ~10 a minute, not 20
    assert "65 位住户反映" in alert.plain  # nothing is lost by coalescing
    gaps = [later - earlier for earlier, later in itertools.pairwise(edited_at)]
    assert gaps and min(gaps) >= timedelta(seconds=6)  # whichever process drew it
