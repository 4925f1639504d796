"""The job scheduler: APScheduler 3 with its SQLAlchemy job store on our database.

With a fake clock `run_due()` runs what is due at the fake time; jobs live in the
`apscheduler_jobs` table, so a second app on the same database finds them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.storage.models import SchedulerJob


async def own_jobs(app: App) -> list[Any]:
    """The app's jobs, without the daily retention job every app plants at start."""
    return [j for j in await app.scheduler.jobs() if j.kind != "privacy.retention"]


class NoClassifier:
    def classify(self, text: str) -> Any:
        raise AssertionError("not used here")


async def make_app(url: str, clock: Any = None) -> App:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    return await create_app(settings, clock=clock or FakeClock(), classifier=NoClassifier())  # type: ignore[arg-type]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    app = await make_app(database_url)
    await app.start(background=False)
    try:
        yield app
    finally:
        await app.stop()


def recorder(app: App, kind: str = "test.job") -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    app.scheduler.register(kind, handler)
    return seen


def clock_of(app: App) -> FakeClock:
    assert isinstance(app.clock, FakeClock)
    return app.clock


async def stored(app: App) -> int:
    async with app.db.session() as session:
        count = select(func.count()).select_from(SchedulerJob)
        return int(await session.scalar(count.where(SchedulerJob.id != "privacy:retention")) or 0)


async def test_a_job_runs_once_when_due_at_the_fake_time(app: App) -> None:
    seen = recorder(app)
    clock = clock_of(app)
    await app.scheduler.schedule(
        "test.job", clock.now() + timedelta(seconds=60), {"n": 1, "s": "三"}, "j1"
    )
    assert await stored(app) == 1  # a row in apscheduler_jobs
    assert await app.scheduler.run_due() == 0
    clock.advance(59)
    assert await app.scheduler.run_due() == 0
    clock.advance(1)
    assert await app.scheduler.run_due() == 1
    assert seen == [{"n": 1, "s": "三"}]
    clock.advance(3600)
    assert await app.scheduler.run_due() == 0
    assert await stored(app) == 0 and await own_jobs(app) == []


async def test_the_same_job_id_replaces(app: App) -> None:
    seen = recorder(app)
    clock = clock_of(app)
    await app.scheduler.schedule(
        "test.job", clock.now() + timedelta(seconds=60), {"v": "old"}, "same"
    )
    await app.scheduler.schedule(
        "test.job", clock.now() + timedelta(seconds=120), {"v": "new"}, "same"
    )
    (job,) = await own_jobs(app)
    assert (job.job_id, job.kind, job.payload, job.run_at) == (
        "same",
        "test.job",
        {"v": "new"},
        clock.now() + timedelta(seconds=120),
    )
    clock.advance(60)
    assert await app.scheduler.run_due() == 0
    clock.advance(60)
    assert await app.scheduler.run_due() == 1
    assert seen == [{"v": "new"}]


async def test_cancel(app: App) -> None:
    seen = recorder(app)
    clock = clock_of(app)
    await app.scheduler.schedule("test.job", clock.now() + timedelta(seconds=5), {}, "gone")
    await app.scheduler.cancel("gone")
    await app.scheduler.cancel("never-existed")
    clock.advance(10)
    assert await app.scheduler.run_due() == 0 and seen == []


async def test_due_jobs_run_in_time_order_and_jobs_they_schedule_for_now_run_too(app: App) -> None:
    clock = clock_of(app)
    order: list[str] = []

    async def chain(payload: dict[str, Any]) -> None:
        order.append(payload["name"])
        if payload["name"] == "first":
            await app.scheduler.schedule("chain", clock.now(), {"name": "follow-on"}, "follow-on")
            await app.scheduler.schedule(
                "chain", clock.now() + timedelta(hours=1), {"name": "later"}, "later"
            )

    app.scheduler.register("chain", chain)
    await app.scheduler.schedule(
        "chain", clock.now() + timedelta(seconds=20), {"name": "second"}, "b"
    )
    await app.scheduler.schedule(
        "chain", clock.now() + timedelta(seconds=10), {"name": "first"}, "a"
    )
    clock.advance(30)
    assert await app.scheduler.run_due() == 3
    assert order == ["first", "second", "follow-on"]
    assert [j.job_id for j in await own_jobs(app)] == ["later"]


async def test_a_failing_job_does_not_stop_the_others_and_is_reported(app: App) -> None:
    seen = recorder(app)
    clock = clock_of(app)

    async def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    app.scheduler.register("broken", broken)
    await app.scheduler.schedule("broken", clock.now(), {}, "x")
    await app.scheduler.schedule("test.job", clock.now() + timedelta(seconds=1), {"ok": True}, "y")
    clock.advance(1)
    with pytest.raises(RuntimeError, match="boom"):
        await app.scheduler.run_due()
    assert seen == [{"ok": True}]
    assert await own_jobs(app) == []  # the failed job is not retried forever


async def test_a_job_of_an_unknown_kind_is_dropped(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    clock = clock_of(app)
    await app.scheduler.schedule("nobody.handles", clock.now(), {}, "orphan")
    assert await app.scheduler.run_due() == 1
    assert "no handler registered" in caplog.text
    assert await own_jobs(app) == []


async def test_jobs_survive_a_restart_with_a_fake_clock(database_url: str) -> None:
    clock = FakeClock()
    first = await make_app(database_url, clock)
    await first.start(background=False)
    recorder(first)
    await first.scheduler.schedule(
        "test.job", clock.now() + timedelta(minutes=5), {"k": "v"}, "persist"
    )
    await first.stop()

    clock.advance(3600)  # the bot was down when it fell due
    second = await make_app(database_url, clock)
    seen = recorder(second)
    await second.start(background=False)
    try:
        assert [j.job_id for j in await own_jobs(second)] == ["persist"]
        assert await second.scheduler.run_due() == 1
        assert await second.scheduler.run_due() == 0
        assert seen == [{"k": "v"}]
    finally:
        await second.stop()


async def test_an_in_memory_database_keeps_jobs_in_memory() -> None:
    app = await make_app("sqlite+aiosqlite://")
    await app.start(background=False)
    try:
        seen = recorder(app)
        clock = clock_of(app)
        await app.scheduler.schedule("test.job", clock.now(), {"m": 1}, "mem")
        assert await app.scheduler.run_due() == 1 and seen == [{"m": 1}]
    finally:
        await app.stop()
