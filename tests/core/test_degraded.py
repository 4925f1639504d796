"""Degraded mode: the database is unreachable or hangs, and still every resident gets an
answer at once (the life-saving line for an emergency), staff hear it once, and the reports
are kept (memory and spool file) and handled when the database is back."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bot.intake as intake_module
from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.incoming import Incoming
from bot.intake import NotStored
from bot.storage.models import Ticket
from tests.support.recording_sender import RecordingSender

# A connection attempt to an unreadable SQLite file leaves an aiosqlite connection object that
# was never opened; its __del__ complains later, in whichever test runs then.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

GAS = "3栋1202厨房有煤气味，快来人"
TAP = "水龙头坏了，一直滴水"


def message(chat: str, text: str, n: int) -> Incoming:
    return Incoming(update_id=f"d:{chat}:{n}", chat_id=chat, user_id=chat, text=text,
                    message_id=n, language_code="zh-hans")


def settings(url: str, **more: Any) -> Settings:
    return Settings(_env_file=None, database_url=url, **more)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
async def quick_probe(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    monkeypatch.setattr(intake_module, "PROBE_EVERY", 0.1)
    yield
    for _ in range(3):  # the abandoned connections complain here, where it is expected
        await asyncio.sleep(0.1)
        gc.collect()


def sent_to(sender: RecordingSender, chat: str) -> list[str]:
    return [m.plain for m in sender.messages(chat)]


class SqliteOutage:
    """The SQLite file made unreadable: moved away, a directory in its place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.aside = path.with_name("aside")

    async def start(self, app: App) -> None:
        await app.db.dispose()  # no open connection keeps working
        self.move_away()

    def move_away(self) -> None:
        self.aside.mkdir()
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                shutil.move(part, self.aside / part.name)
        self.path.mkdir()

    def end(self) -> None:
        self.path.rmdir()
        for part in self.aside.iterdir():
            shutil.move(part, self.path.parent / part.name)


@pytest.fixture
async def app(tmp_path: Path, classifier: Any) -> AsyncIterator[App]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}"
    application = await create_app(settings(url), classifier=classifier, clock=FakeClock())
    application.outbox.sender = RecordingSender()
    await application.start()
    yield application
    await application.stop()


async def test_sqlite_unreadable_answers_at_once_and_replays_when_back(app: App, tmp_path: Path) -> None:
    sender = app.outbox.sender
    assert isinstance(sender, RecordingSender)
    outage = SqliteOutage(tmp_path / "helpline.db")
    await outage.start(app)

    began = time.monotonic()
    await app.receive(message("1001", GAS, 1))
    assert time.monotonic() - began < 2.0
    gas = sent_to(sender, "1001")
    assert len(gas) == 1 and "关掉燃气阀门" in gas[0] and "120" in gas[0]  # line + numbers

    await app.receive(message("1002", TAP, 2))
    tap = sent_to(sender, "1002")
    assert len(tap) == 1 and "已记录" in tap[0]
    staff = sent_to(sender, app.settings.staff_chat_id)
    assert len(staff) == 1 and "数据库" in staff[0]  # told once, not once per message

    spooled = [json.loads(line) for line in app.intake.spool_path.read_text().splitlines()]
    assert [s["update_id"] for s in spooled] == ["d:1001:1", "d:1002:2"]
    assert [i.update_id for i in app.intake.held] == ["d:1001:1", "d:1002:2"]

    outage.end()
    async with asyncio.timeout(20):
        while app.intake.down or app.intake.held:  # noqa: ASYNC110 - the recovery's own state
            await asyncio.sleep(0.05)
    await app.intake.join()
    await app.outbox.drain()
    assert "请留一个电话" in sent_to(sender, "1001")[-1]  # the report goes on where it was
    assert "哪一栋" in sent_to(sender, "1002")[-1]
    assert isinstance(app.clock, FakeClock)
    app.clock.advance(120)  # the resident says nothing more: the emergency opens its ticket
    await app.flows.sweep()
    await app.outbox.drain()
    async with app.db.session() as session:
        tickets = (await session.scalars(select(Ticket))).all()
    assert [t.intent for t in tickets] == ["gas_leak"]
    assert any("燃气泄漏" in m and f"#{tickets[0].id}" in m
               for m in sent_to(sender, app.settings.staff_chat_id))
    assert not app.intake.spool_path.exists()
    assert sum("数据库" in m for m in sent_to(sender, app.settings.staff_chat_id)) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a database that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


@pytest.mark.parametrize("failure", ["closed port", "hangs"])
async def test_postgresql_unreachable_still_gets_the_life_saving_line(
    failure: str, tmp_path: Path, classifier: Any, silent_server: int
) -> None:
    port = free_port() if failure == "closed port" else silent_server
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test"
    application = await create_app(settings(url), classifier=classifier)
    sender = RecordingSender()
    application.outbox.sender = sender
    application.intake.spool_path = tmp_path / "spool.jsonl"
    try:
        began = time.monotonic()
        await application.receive(message("1001", GAS, 1))
        assert time.monotonic() - began < 2.5
        gas = sent_to(sender, "1001")
        assert len(gas) == 1 and "关掉燃气阀门" in gas[0]
        assert "d:1001:1" in application.intake.spool_path.read_text()
        # the next message does not wait for the timeouts again
        began = time.monotonic()
        await application.receive(message("1002", TAP, 2))
        assert time.monotonic() - began < 0.5
    finally:
        await application.intake.stop()
        await application.db.dispose()


async def test_a_spool_that_cannot_be_written_is_not_confirmed(tmp_path: Path, classifier: Any) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    application = await create_app(settings(url), classifier=classifier)
    application.outbox.sender = RecordingSender()
    (tmp_path / "file").write_text("")
    application.intake.spool_path = tmp_path / "file" / "spool.jsonl"  # under a file: fails
    try:
        with pytest.raises(NotStored):
            await application.receive(message("1001", GAS, 1))
    finally:
        await application.db.dispose()


async def test_held_updates_survive_a_restart_through_the_spool(tmp_path: Path, classifier: Any) -> None:
    db = tmp_path / "helpline.db"
    url = f"sqlite+aiosqlite:///{db}"
    down = await create_app(settings(url), classifier=classifier)
    down.outbox.sender = RecordingSender()
    await down.start()
    outage = SqliteOutage(db)
    await outage.start(down)
    await down.receive(message("1001", GAS, 1))
    await down.stop()  # the process ends while the database is still down
    outage.end()

    again = await create_app(settings(url), classifier=classifier)
    again.outbox.sender = RecordingSender()
    await again.start()  # the spool is read and handled
    try:
        await again.intake.join()
        await again.outbox.drain()
        async with again.db.session() as session:
            intents = [t.intent for t in (await session.scalars(select(Ticket))).all()]
        assert intents == ["gas_leak"] or not intents  # the ticket waits for the phone question
        assert not again.intake.spool_path.exists()
        assert any("电话" in m for m in sent_to(again.outbox.sender, "1001"))  # type: ignore[arg-type]
    finally:
        await again.stop()


async def test_an_outage_is_logged_once_not_once_per_message(
    app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outage = SqliteOutage(tmp_path / "helpline.db")
    await outage.start(app)
    with caplog.at_level("WARNING"):
        await app.receive_many([message(f"20{n:02d}", GAS, n) for n in range(10)])
        for n in range(10, 20):
            await app.receive(message(f"20{n:02d}", TAP, n))
    sender = app.outbox.sender
    assert isinstance(sender, RecordingSender)
    assert all(len(sent_to(sender, f"20{n:02d}")) == 1 for n in range(20))  # all answered
    errors = [r for r in caplog.records if r.levelname == "ERROR" and r.name == "bot.intake"]
    assert len(errors) == 1 and "degraded mode" in errors[0].getMessage()
    outage.end()
    async with asyncio.timeout(20):
        while app.intake.down or app.intake.held:  # noqa: ASYNC110 - the recovery's own state
            await asyncio.sleep(0.05)
    assert any("database back" in r.getMessage() and "20 held" in r.getMessage()
               for r in caplog.records)


async def test_the_life_saving_line_leaves_on_arrival_before_the_handling(app: App) -> None:
    from tests.core.test_intake import Recorder

    sender = app.outbox.sender
    assert isinstance(sender, RecordingSender)
    stuck = Recorder(hold={"3001"})  # handling this chat does not finish (a long backlog)
    app.router.handlers.insert(0, stuck)
    await app.receive(message("3001", GAS, 1))
    await app.receive(message("3002", TAP, 2))  # not an emergency: no early line
    async with asyncio.timeout(10):
        while len(stuck.started) < 2:  # noqa: ASYNC110 - the recorder's own list
            await asyncio.sleep(0.01)
    await app.outbox.drain()
    line = sent_to(sender, "3001")
    assert len(line) == 1 and "关掉燃气阀门" in line[0]  # while the handling waits
    assert sent_to(sender, "3002") == []
    stuck.release.set()
    await app.intake.join()


async def test_the_conversation_does_not_repeat_the_line_sent_on_arrival(app: App) -> None:
    sender = app.outbox.sender
    assert isinstance(sender, RecordingSender)
    await app.receive(message("3101", GAS, 1))
    await app.intake.join()
    await app.outbox.drain()
    texts = sent_to(sender, "3101")
    assert sum("关掉燃气阀门" in t for t in texts) == 1 and "关掉燃气阀门" in texts[0]
    assert "请留一个电话" in texts[-1]  # the conversation goes on after it


async def test_in_a_burst_the_lines_leave_before_any_handling_starts(app: App) -> None:
    """A getUpdates batch of emergencies: every life-saving line is handed to Telegram
    before the first of those messages is handled (the handling would take the machine and
    the database from the lines)."""
    from bot.core.actions import Action, SendText
    from tests.core.test_intake import Recorder

    events: list[str] = []

    class SlowLines(RecordingSender):
        async def deliver(self, action: Action, **kw: Any) -> int | None:
            if isinstance(action, SendText) and action.urgent:
                await asyncio.sleep(0.05)  # a network that takes its time
                events.append(f"line {action.chat_id}")
            return await super().deliver(action, **kw)

    class Recording(Recorder):
        async def handle(self, incoming: Incoming) -> None:
            events.append(f"handle {incoming.chat_id}")
            await super().handle(incoming)

    app.outbox.sender = SlowLines()
    app.router.handlers.insert(0, Recording())
    chats = [f"40{n:02d}" for n in range(40)]
    await app.receive_many([message(chat, GAS, n) for n, chat in enumerate(chats)], full=False)
    async with asyncio.timeout(60):
        while sum(e.startswith("handle") for e in events) < len(chats):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    first_handling = next(i for i, e in enumerate(events) if e.startswith("handle"))
    assert sorted(events[:first_handling]) == sorted(f"line {chat}" for chat in chats)
