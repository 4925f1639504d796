"""Starting while the database is down: `python -m bot run` starts anyway, in degraded mode.
Residents get their answer (the life-saving line and the emergency numbers for an
emergency) straight through the transport, staff hear once that the database is down, and
when it answers the start is finished (migrations, job store, delivery) and what was held
becomes tickets.

PostgreSQL is reached through a TCP proxy of the test's own that is closed at first (the
connection is refused) and opened later; SQLite through a file that cannot be opened (a
directory stands in its place) until it is removed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.base import STATE_STOPPED
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import App
from bot.bootstrap import create_app
from bot.commands import run as run_command
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.incoming import Incoming
from bot.storage.models import Ticket
from tests.core.test_degraded import quick_probe  # noqa: F401  (autouse: probe every 0.1 s)
from tests.fakes.bot_api import FakeBotAPI
from tests.support.recording_sender import RecordingSender
from tests.transports.support import free_port

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

GAS = "3栋1202厨房有煤气味，快来人"
GAS_WITH_PHONE = "3栋1202厨房有煤气味，电话13800001111"
LINE = "关掉燃气阀门"
STAFF = "-1001234567890"
WITHIN = 120.0  # seconds: generous bounds for what must happen, not a measure of speed


class Proxy:
    """A TCP port in front of the real PostgreSQL: refused until `open()`; with `hang()`,
    connections are accepted and never answered (a database that hangs) until `open()`."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.target = host, port
        self.port = free_port()
        self.hanging = False
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def hang(self) -> None:
        self.hanging = True
        await self._listen()

    async def open(self) -> None:
        self.hanging = False
        await self._listen()

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.hanging:
            self._writers.add(writer)
            return  # accepted, never a word
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except Exception:
                pass
            finally:
                sink.close()
                self._writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[tuple[Proxy, str]]:
    """(the proxy, closed; the test database's URL through it)."""
    url = make_url(postgres_url)
    gate = Proxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield gate, url.set(port=gate.port).render_as_string(hide_password=False)
    finally:
        await gate.close()


class Unopenable:
    """A SQLite file that cannot be opened: a directory in its place, until `end()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)

    def end(self) -> None:
        self.path.rmdir()


def message(chat: str, text: str, n: int) -> Incoming:
    return Incoming(update_id=f"s:{chat}:{n}", chat_id=chat, user_id=chat, text=text,
                    message_id=n, language_code="zh-hans")


def sent_to(sender: RecordingSender, chat: str) -> list[str]:
    return [m.plain for m in sender.messages(chat)]


async def until(predicate: Any, within: float = WITHIN) -> None:
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 - polls state owned by the app
            await asyncio.sleep(0.05)


async def down_app(url: str, classifier: Any, spool: Path) -> tuple[App, RecordingSender]:
    settings = Settings(_env_file=None, database_url=url, staff_chat_id=STAFF)  # type: ignore[call-arg]
    app = await create_app(settings, classifier=classifier, clock=FakeClock())
    app.intake.spool_path = spool
    sender = RecordingSender()
    app.outbox.sender = sender
    await app.start()  # does not raise: degraded mode
    return app, sender


async def check_degraded_then_recovered(
    app: App, sender: RecordingSender, back: Any
) -> None:
    assert app.intake.down
    assert app.scheduler._scheduler.state == STATE_STOPPED  # the job store waits for the database
    await until(lambda: bool(sent_to(sender, STAFF)))
    assert "数据库" in sent_to(sender, STAFF)[0]  # staff told, before any resident wrote

    await app.receive(message("1001", GAS, 1))
    gas = sent_to(sender, "1001")
    assert len(gas) == 1 and LINE in gas[0] and "119" in gas[0]  # the line and the numbers
    await app.receive_many([message(f"11{n:02d}", GAS, 10 + n) for n in range(5)])
    assert all(LINE in "".join(sent_to(sender, f"11{n:02d}")) for n in range(5))
    assert {i.update_id for i in app.intake.held} >= {"s:1001:1", "s:1100:10"}
    assert app.intake.spool_path.exists()

    await back()
    await until(lambda: app.intake.recovered)
    await app.intake.join()
    await app.outbox.drain()
    assert await app.db.current_revision() is not None  # migrated when it came back
    assert app.scheduler._scheduler.state != STATE_STOPPED  # the job store started
    assert "请留一个电话" in sent_to(sender, "1001")[-1]  # the report goes on where it was
    assert isinstance(app.clock, FakeClock)
    app.clock.advance(120)  # nobody says more: each emergency opens its ticket
    await app.flows.sweep()
    await app.outbox.drain()
    async with app.db.session() as session:
        tickets = (await session.scalars(select(Ticket))).all()
    assert sorted(t.chat_id for t in tickets) == ["1001", *(f"11{n:02d}" for n in range(5))]
    assert all(t.intent == "gas_leak" for t in tickets)
    staff = sent_to(sender, STAFF)
    assert sum("工单 #" in m for m in staff) >= 6
    assert sum("数据库" in m for m in staff) == 1  # told once
    assert not app.intake.spool_path.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("failure", ["refused", "hangs"])
async def test_postgresql_down_at_start_starts_degraded_then_recovers(
    failure: str, proxy: tuple[Proxy, str], classifier: Any, tmp_path: Path
) -> None:
    gate, url = proxy
    if failure == "hangs":
        await gate.hang()
    app, sender = await down_app(url, classifier, tmp_path / "spool.jsonl")
    try:
        await check_degraded_then_recovered(app, sender, gate.open)
    finally:
        await app.stop()


async def test_sqlite_unopenable_at_start_starts_degraded_then_recovers(
    classifier: Any, tmp_path: Path
) -> None:
    database = Unopenable(tmp_path / "data" / "helpline.db")
    url = f"sqlite+aiosqlite:///{database.path}"

    async def back() -> None:
        database.end()

    app, sender = await down_app(url, classifier, tmp_path / "spool.jsonl")
    try:
        await check_degraded_then_recovered(app, sender, back)
    finally:
        await app.stop()


async def test_held_updates_of_a_degraded_start_survive_a_restart(
    classifier: Any, tmp_path: Path
) -> None:
    database = Unopenable(tmp_path / "helpline.db")
    url = f"sqlite+aiosqlite:///{database.path}"
    spool = tmp_path / "spool.jsonl"
    app, sender = await down_app(url, classifier, spool)
    await app.receive(message("1001", GAS, 1))
    await app.stop()  # ends while the database is still down
    assert spool.exists()

    again, sender = await down_app(url, classifier, spool)  # still down: read, not answered again
    try:
        assert [i.update_id for i in again.intake.held] == ["s:1001:1"]
        database.end()
        await until(lambda: again.intake.recovered)
        await again.intake.join()
        await again.outbox.drain()
        assert any("电话" in m for m in sent_to(sender, "1001"))  # handled after all
    finally:
        await again.stop()


@pytest.mark.postgres
async def test_bot_run_starts_with_postgresql_refused_and_serves_after_recovery(
    proxy: tuple[Proxy, str], classifier: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole `python -m bot run` (python-telegram-bot, long polling, fake Bot API)."""
    gate, url = proxy
    monkeypatch.setenv("INTAKE_SPOOL_FILE", str(tmp_path / "spool.jsonl"))
    async with FakeBotAPI() as fake:
        fake.chat(STAFF)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, bot_token=fake.token, telegram_api_base_url=fake.url,
            database_url=url, staff_chat_id=STAFF,
        )
        stop = asyncio.Event()
        serving = asyncio.create_task(
            run_command.serve(settings, stop=stop, poll_timeout=1, classifier=classifier)
        )
        try:
            await fake.wait_for(lambda: any("数据库" in t for t in fake.sent_texts(STAFF)), WITHIN)
            await fake.send(7000001, GAS_WITH_PHONE)
            await fake.wait_for(lambda: any(LINE in t for t in fake.sent_texts(7000001)), WITHIN)
            assert not any("工单 #" in t for t in fake.sent_texts(STAFF))  # no database yet
            await gate.open()
            await fake.wait_for(lambda: any("工单 #" in t for t in fake.sent_texts(STAFF)), WITHIN)
            await fake.send(7000002, GAS_WITH_PHONE)  # and the bot goes on as usual
            await fake.wait_for(lambda: sum("工单 #" in t for t in fake.sent_texts(STAFF)) >= 2, WITHIN)
            assert any(LINE in t for t in fake.sent_texts(7000002))
            assert sum("数据库" in t for t in fake.sent_texts(STAFF)) == 1
        finally:
            stop.set()
            await asyncio.wait_for(serving, 60)
