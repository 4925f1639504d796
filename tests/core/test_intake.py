"""At-least-once intake: stored before confirmed, handled after a crash, duplicates harmless;
per-chat order, chats in parallel, emergencies first in a backlog."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.incoming import Incoming
from bot.storage.models import InboxUpdate, ProcessedUpdate
from tests.fakes.bot_api import FakeBotAPI
from tests.support.recording_sender import RecordingSender
from tests.transports.support import RESIDENT, running


class Verdict:
    def __init__(self, emergency: bool) -> None:
        self.is_emergency = emergency
        self.intent = "gas_leak" if emergency else "unknown"


class StubClassifier:
    def classify(self, text: str) -> Verdict:
        return Verdict("煤气" in text)


@dataclass
class Recorder:
    """A handler in front of the others: records, and blocks the chats in `hold`."""

    hold: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    async def accepts(self, incoming: Incoming) -> bool:
        return True

    async def handle(self, incoming: Incoming) -> None:
        self.started.append(incoming.text or "")
        if incoming.chat_id in self.hold:
            await self.release.wait()
        self.done.append(incoming.text or "")


def message(chat: str, text: str, n: int) -> Incoming:
    return Incoming(update_id=f"t:{chat}:{n}", chat_id=chat, user_id=chat, text=text, message_id=n)


async def make_app(url: str, recorder: Recorder, **settings: Any) -> App:
    app = await create_app(
        Settings(_env_file=None, database_url=url, **settings),  # type: ignore[call-arg]
        classifier=StubClassifier(),
    )
    app.router.handlers.insert(0, recorder)
    app.outbox.sender = RecordingSender()
    await app.start()
    return app


async def crash(app: App) -> None:
    """As close to kill -9 as a test gets: handling stops mid-way, nothing is finished."""
    for task in app.intake._workers:
        task.cancel()
    app.intake._workers.clear()
    app.intake._keys.clear()
    app.intake._idle.set()
    await app.stop()


async def counts(app: App) -> tuple[int, int]:
    async with app.db.session() as session:
        inbox = await session.scalar(select(func.count()).select_from(InboxUpdate))
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    return int(inbox or 0), int(processed or 0)


async def until(predicate: Any, within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 - a test polls plain lists
            await asyncio.sleep(0.01)


async def test_a_crash_loses_nothing_that_was_received(database_url: str) -> None:
    first = Recorder(hold={"c", "d", "e"})
    app = await make_app(database_url, first)
    for n, chat in enumerate("abcde"):
        await app.receive(message(chat, f"report {chat}", n))
    await until(lambda: len(first.started) == 5)
    assert sorted(first.done) == ["report a", "report b"]
    assert await counts(app) == (3, 2)
    await crash(app)

    second = Recorder()
    app = await make_app(database_url, second)  # the restart handles what was left
    try:
        await app.intake.join()
        assert sorted(second.done) == ["report c", "report d", "report e"]
        assert await counts(app) == (0, 5)
    finally:
        await app.stop()


async def test_duplicates_are_harmless(sqlite_url: str) -> None:
    recorder = Recorder()
    app = await make_app(sqlite_url, recorder)
    try:
        same = message("a", "漏水了", 1)
        await app.receive(same)
        await app.receive(same)  # Telegram sent it again before it was confirmed
        await app.intake.join()
        await app.receive(same)  # and again after it was handled
        await app.intake.join()
        assert recorder.done == ["漏水了"]
        assert await counts(app) == (0, 1)
    finally:
        await app.stop()


async def test_one_chat_in_order_other_chats_meanwhile(sqlite_url: str) -> None:
    recorder = Recorder(hold={"slow"})
    app = await make_app(sqlite_url, recorder)
    try:
        await app.receive(message("slow", "slow 1", 1))
        await app.receive(message("slow", "slow 2", 2))
        await app.receive(message("fast", "fast 1", 3))
        await until(lambda: "fast 1" in recorder.done)
        assert recorder.started == ["slow 1", "fast 1"]  # slow 2 waits for slow 1
        recorder.release.set()
        await app.intake.join()
        assert recorder.done == ["fast 1", "slow 1", "slow 2"]
    finally:
        await app.stop()


async def test_emergencies_first_in_a_backlog(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(hold={"busy"})
    app = await make_app(sqlite_url, recorder)
    try:
        await app.intake.stop()
        app.intake.concurrency = 1
        await app.intake.start()
        await app.receive(message("busy", "busy", 0))
        await until(lambda: recorder.started == ["busy"])
        for n in range(1, 6):
            await app.receive(message(f"r{n}", f"水龙头坏了 {n}", n))
        await app.receive(message("gas", "厨房有煤气味", 9))
        recorder.release.set()
        await app.intake.join()
        assert recorder.done[:2] == ["busy", "厨房有煤气味"]  # ahead of 5 older reports
    finally:
        await app.stop()


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_telegram_hears_of_an_update_only_once_it_is_stored(
    framework: str, fake: FakeBotAPI, sqlite_url: str
) -> None:
    recorder = Recorder(hold={str(RESIDENT)})
    fake.chat(RESIDENT)
    async with running(fake, sqlite_url, framework=framework, handlers=[recorder]) as run:
        await fake.send(RESIDENT, "3栋停水了")
        await fake.wait_for(lambda: fake.pending_updates == 0)  # confirmed by the next poll
        assert (await counts(run.app))[0] == 1  # ...and it was in the inbox by then
        await until(lambda: recorder.started == ["3栋停水了"])
        assert recorder.done == []
        recorder.release.set()
        await run.settled()
        assert await counts(run.app) == (0, 1)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


async def test_a_polled_batch_is_stored_in_one_transaction(sqlite_url: str) -> None:
    from sqlalchemy import event

    recorder = Recorder()
    app = await make_app(sqlite_url, recorder)
    commits: list[int] = []
    engine = app.db.engine.sync_engine

    def committed(*_: object) -> None:
        commits.append(1)

    try:
        done = message("z", "早就处理过", 99)
        await app.receive(done)
        await app.intake.join()
        batch = [message(f"c{n}", f"report {n}", n) for n in range(20)]
        event.listen(engine, "commit", committed)
        await app.receive_many([*batch, batch[3], done])  # a repeat, and one handled before
        event.remove(engine, "commit", committed)
        assert len(commits) == 1  # twenty updates, one transaction before Telegram hears
        await app.intake.join()
        assert sorted(recorder.done) == sorted(["早就处理过", *(f"report {n}" for n in range(20))])
        assert await counts(app) == (0, 21)
    finally:
        await app.stop()
