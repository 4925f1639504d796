"""Restarts with the real APScheduler loop (system clock, short real intervals): a job that
fell due while the bot was down runs once at start, never twice, also after a hard kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.bootstrap import create_app
from bot.config import REPO_ROOT, Settings
from bot.core.clock import SystemClock


async def own_jobs(app: App) -> list[Any]:
    """The app's jobs, without the daily retention job every app plants at start."""
    return [j for j in await app.scheduler.jobs() if j.kind != "privacy.retention"]


KIND = "test.restart"
PATIENCE = 10.0  # seconds to wait for the real loop before failing


class NoClassifier:
    def classify(self, text: str) -> Any:
        raise AssertionError("not used here")


async def real_app(url: str, seen: list[dict[str, Any]], **settings: Any) -> App:
    config = Settings(_env_file=None, database_url=url, **settings)  # type: ignore[call-arg]
    app = await create_app(config, clock=SystemClock(), classifier=NoClassifier())  # type: ignore[arg-type]

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    app.scheduler.register(KIND, handler)
    await app.start(background=False)
    return app


async def wait_for(condition: Any) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while not condition():
        assert loop.time() < deadline, "the scheduler loop did not run the job in time"
        await asyncio.sleep(0.02)


async def wait_until_past(when: Any) -> None:
    """Sleep (real time) until `when` has passed: the bot is "down" meanwhile."""
    await asyncio.sleep(max(0.0, (when - SystemClock().now()).total_seconds()) + 0.01)


async def test_a_job_due_while_the_bot_was_down_runs_once_at_start(database_url: str) -> None:
    before: list[dict[str, Any]] = []
    first = await real_app(database_url, before)
    due = first.clock.now() + timedelta(seconds=0.3)
    await first.scheduler.schedule(KIND, due, {"n": 1}, "restart-job")
    await first.stop()  # stopped before the job is due
    await wait_until_past(due + timedelta(seconds=0.2))
    assert before == []

    after: list[dict[str, Any]] = []
    second = await real_app(database_url, after)
    try:
        await wait_for(lambda: len(after) >= 1)
        await second.scheduler.run_due()  # wakes the loop once more: nothing left to run
        await asyncio.sleep(0.2)
        assert after == [{"n": 1}]
        assert await own_jobs(second) == []
    finally:
        await second.stop()

    third_seen: list[dict[str, Any]] = []
    third = await real_app(database_url, third_seen)
    try:
        await asyncio.sleep(0.2)
        assert third_seen == [] and await own_jobs(third) == []
    finally:
        await third.stop()


async def test_the_running_loop_fires_a_job_at_its_time(database_url: str) -> None:
    seen: list[dict[str, Any]] = []
    app = await real_app(database_url, seen)
    try:
        await app.scheduler.schedule(
            KIND, app.clock.now() + timedelta(seconds=0.2), {"live": True}, "live"
        )
        await app.scheduler.schedule(
            KIND, app.clock.now() + timedelta(hours=1), {"later": True}, "later"
        )
        await wait_for(lambda: len(seen) >= 1)
        assert seen == [{"live": True}]
        assert [j.job_id for j in await own_jobs(app)] == ["later"]
    finally:
        await app.stop()


CHILD = """
import asyncio, sys
from datetime import timedelta
from bot.bootstrap import create_app
from bot.config import Settings

async def main():
    app = await create_app(Settings(_env_file=None, database_url=sys.argv[1]), classifier=object())
    await app.start(background=False)
    due = app.clock.now() + timedelta(seconds=float(sys.argv[2]))
    await app.scheduler.schedule("test.restart", due, {"from": "child"}, "child-job")
    print(due.isoformat(), flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


async def test_a_killed_process_loses_no_job_and_the_next_start_runs_it_once(
    database_url: str,
) -> None:
    from datetime import datetime

    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        database_url,
        "0.5",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert child.stdout is not None
    line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
    due = datetime.fromisoformat(line.decode().strip())
    child.send_signal(signal.SIGKILL)  # no clean shutdown
    await child.wait()
    await wait_until_past(due + timedelta(seconds=0.2))

    seen: list[dict[str, Any]] = []
    app = await real_app(database_url, seen)
    try:
        await wait_for(lambda: len(seen) >= 1)
        await asyncio.sleep(0.2)
        assert seen == [{"from": "child"}]
        assert await own_jobs(app) == []
    finally:
        await app.stop()


async def test_a_ticket_reminder_due_during_a_restart_is_sent_exactly_once(
    database_url: str,
) -> None:
    from bot.tickets import TicketDraft
    from tests.support.recording_sender import RecordingSender

    fast = {"sla_claim_seconds_emergency": 0.3, "claim_reminder_limit": 1}
    first = await real_app(database_url, [], **fast)
    ticket = await first.tickets.open_ticket(
        TicketDraft(
            chat_id="1001",
            user_id="1001",
            intent="gas_leak",
            severity="emergency",
            description="煤气味",
        )
    )
    opened = first.clock.now()
    await first.stop()  # down before the reminder is due
    await wait_until_past(opened + timedelta(seconds=0.5))

    second = await real_app(database_url, [], **fast)
    sender = RecordingSender()
    second.outbox.sender = sender
    try:

        def reminders() -> list[str]:
            return [
                m.plain
                for m in sender.messages(second.settings.staff_chat_id)
                if "还没有人接单" in m.plain
            ]

        async def drained() -> None:
            await second.outbox.drain()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while not reminders():
            assert loop.time() < deadline, "the reminder was not sent after the restart"
            await drained()
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)  # would a second one come? (limit 1: it must not)
        await drained()
        assert len(reminders()) == 1 and f"#{ticket.id}" in reminders()[0]
        assert (await second.tickets.get(ticket.id)).reminders_sent == 1  # type: ignore[union-attr]
    finally:
        await second.stop()
