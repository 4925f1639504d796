"""The outbox: order per chat, refs, retries on 429/5xx, blocked residents, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.core.actions import EditText, SendText
from bot.core.clock import FakeClock
from bot.core.errors import Blocked, PermanentError, RetryAfter, TemporaryError
from bot.delivery.outbox import Outbox
from bot.storage import Database
from bot.storage.models import OutboxMessage
from tests.support.recording_sender import RecordingSender


@pytest.fixture
async def outbox(database_url: str) -> AsyncIterator[Outbox]:
    db = Database(database_url)
    await db.upgrade()
    box = Outbox(db, FakeClock())
    box.sender = RecordingSender()
    yield box
    await db.dispose()


def _sender(box: Outbox) -> RecordingSender:
    assert isinstance(box.sender, RecordingSender)
    return box.sender


async def test_sends_in_order_and_edits_by_ref(outbox: Outbox) -> None:
    await outbox.send(SendText("c1", "first", ref="ticket:1:alert"))
    await outbox.send(SendText("c1", "second", reply_to="ticket:1:alert"))
    await outbox.send(EditText("c1", "ticket:1:alert", "first, edited"))
    assert await outbox.drain() == 3
    shown = _sender(outbox).messages("c1")
    assert [m.plain for m in shown] == ["first, edited", "second"]
    assert shown[1].reply_to == shown[0].message_id
    assert await outbox.ref_of("c1", shown[0].message_id) == "ticket:1:alert"


async def test_retry_after_holds_the_chat_but_not_others(outbox: Outbox) -> None:
    sender = _sender(outbox)
    sender.fail_next = [RetryAfter(5)]
    await outbox.send(SendText("c1", "a"))
    await outbox.send(SendText("c1", "b"))
    await outbox.send(SendText("c2", "x"))
    await outbox.drain()
    assert [m.plain for m in sender.messages("c1")] == []
    assert [m.plain for m in sender.messages("c2")] == ["x"]
    assert isinstance(outbox.clock, FakeClock)
    outbox.clock.advance(5)
    await outbox.drain()
    assert [m.plain for m in sender.messages("c1")] == ["a", "b"]


async def test_temporary_errors_retry_with_backoff_and_nothing_is_lost(outbox: Outbox) -> None:
    sender = _sender(outbox)
    sender.fail_next = [TemporaryError("502"), TemporaryError("timeout")]
    await outbox.send(SendText("c1", "help is coming"))
    for _ in range(5):
        await outbox.drain()
        assert isinstance(outbox.clock, FakeClock)
        outbox.clock.advance(10)
    assert [m.plain for m in sender.messages("c1")] == ["help is coming"]
    async with outbox.db.session() as s:
        row = (await s.scalars(select(OutboxMessage))).one()
    assert row.status == "sent" and row.attempts == 3


async def test_blocked_is_recorded_and_reported_not_retried(outbox: Outbox) -> None:
    reported: list[str] = []

    async def hook(chat_id: str) -> None:
        reported.append(chat_id)

    outbox.on_blocked.append(hook)
    _sender(outbox).fail_next = [Blocked("bot was blocked by the user")]
    await outbox.send(SendText("c9", "notice"))
    await outbox.drain()
    await outbox.drain()
    assert reported == ["c9"]
    async with outbox.db.session() as s:
        assert (await s.scalars(select(OutboxMessage.status))).all() == ["blocked"]


async def test_permanent_error_fails_once(outbox: Outbox) -> None:
    _sender(outbox).fail_next = [PermanentError("chat not found")]
    await outbox.send(SendText("c1", "x"))
    await outbox.send(SendText("c1", "y"))
    await outbox.drain()
    assert [m.plain for m in _sender(outbox).messages("c1")] == ["y"]


async def test_pending_rows_survive_a_restart(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    first = Outbox(db, FakeClock())  # no sender: a crash before anything was sent
    await first.send(SendText("c1", "queued before the crash"))
    await db.dispose()

    db2 = Database(database_url)
    second = Outbox(db2, FakeClock())
    second.sender = RecordingSender()
    await second.drain()
    assert [m.plain for m in _sender(second).messages("c1")] == ["queued before the crash"]
    await db2.dispose()


async def test_an_urgent_line_goes_ahead_of_a_backlog_and_keeps_its_chat_in_order(
    outbox: Outbox,
) -> None:
    for n in range(30):  # other traffic waiting
        await outbox.send(SendText(f"other{n}", f"notice {n}"))
    await outbox.send(SendText("r1", "关掉燃气阀门", urgent=True))
    await outbox.send(SendText("r1", "请问是几栋？"))
    sender = _sender(outbox)
    assert outbox.urgent_waiting == 1
    await outbox.drain()
    sent = [action.text for action, _ in sender.log if isinstance(action, SendText)]
    assert sent[0] == "关掉燃气阀门"  # before the 30 rows stored earlier
    assert [m.plain for m in sender.messages("r1")] == ["关掉燃气阀门", "请问是几栋？"]
    assert len(sent) == 32 and outbox.urgent_waiting == 0  # each row once


async def test_an_urgent_line_that_is_throttled_waits_its_retry_and_goes_once(
    outbox: Outbox,
) -> None:
    sender = _sender(outbox)
    sender.fail_next = [RetryAfter(3)]
    await outbox.send(SendText("r1", "关掉燃气阀门", urgent=True))
    await outbox.send(SendText("r1", "请问是几栋？"))
    await outbox.drain()
    assert sender.messages("r1") == []  # the question does not overtake the line
    assert isinstance(outbox.clock, FakeClock)
    outbox.clock.advance(3)
    await outbox.drain()
    assert [m.plain for m in sender.messages("r1")] == ["关掉燃气阀门", "请问是几栋？"]


async def test_urgent_rows_left_by_a_restart_are_ordinary_pending_rows(
    database_url: str,
) -> None:
    db = Database(database_url)
    await db.upgrade()
    try:
        first = Outbox(db, FakeClock())  # no sender: the process ends before delivering
        await first.send(SendText("r1", "关掉燃气阀门", urgent=True))
        again = Outbox(db, FakeClock())
        again.sender = RecordingSender()
        await again.drain()
        assert [m.plain for m in again.sender.messages("r1")] == ["关掉燃气阀门"]
    finally:
        await db.dispose()


async def test_urgent_lines_go_from_memory_and_are_written_down_together(outbox: Outbox) -> None:
    for n in range(20):
        await outbox.send(SendText(f"r{n}", "关掉燃气阀门", urgent=True))
    reads = 0
    transactions = outbox.db.transaction

    def counting() -> object:
        nonlocal reads
        reads += 1
        return transactions()

    outbox.db.transaction = counting  # type: ignore[method-assign]
    assert await outbox.flush_urgent() == 20
    assert reads == 1  # one transaction for the 20 lines, not one each
    async with outbox.db.session() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert {row.status for row in rows} == {"sent"} and all(row.message_id for row in rows)
    assert all(row.attempts == 1 and row.sent_at is not None for row in rows)


async def test_an_urgent_line_sent_but_not_written_down_is_sent_again_not_lost(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    await outbox.send(SendText("r1", "关掉燃气阀门", urgent=True))
    await outbox.send(SendText("r1", "请问是几栋？"))

    async def database_gone(sent: object) -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr(outbox, "_settle_sent", database_gone)
    await outbox.flush_urgent()
    monkeypatch.undo()
    await outbox.drain()
    texts = [m.plain for m in _sender(outbox).messages("r1")]
    assert texts == ["关掉燃气阀门", "关掉燃气阀门", "请问是几栋？"]  # at least once, in order
