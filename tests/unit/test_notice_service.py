"""`NoticeService` alone: messenger, scheduler, tickets and profiles are fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.core.clock import FakeClock
from bot.notices.render import NoticeFacts
from bot.notices.service import NoticeService, job_id
from bot.storage.db import Database
from bot.storage.models import NoticeStatus
from bot.texts import Texts
from tests.unit.conftest import MANAGER
from tests.unit.fakes import FakeMessenger, FakeProfiles, FakeScheduler, FakeTicketDesk


class FakeOutbox(FakeMessenger):
    """The notices also look at the outbox's transport (`sender`), for their own pacing."""

    sender: Any = None


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def desk() -> FakeTicketDesk:
    return FakeTicketDesk()


@pytest.fixture
def notices(
    settings: Settings,
    clock: FakeClock,
    db: Database,
    texts: Texts,
    scheduler: FakeScheduler,
    desk: FakeTicketDesk,
) -> NoticeService:
    return NoticeService(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        outbox=FakeOutbox(),  # type: ignore[arg-type]
        scheduler=scheduler,
        tickets=desk,
        profiles=FakeProfiles(),
    )


def facts(clock: FakeClock, *, starts_in: float | None, lasts: float = 7200) -> NoticeFacts:
    starts = clock.now() + timedelta(seconds=starts_in) if starts_in is not None else None
    ends = (starts or clock.now()) + timedelta(seconds=lasts)
    return NoticeFacts("water", ["3"], starts, ends, "管道检修", "请提前储水")


async def test_a_planned_notice_schedules_its_start_reminder_and_end(
    notices: NoticeService, scheduler: FakeScheduler, clock: FakeClock, settings: Settings
) -> None:
    notice, _, _ = await notices.publish(
        facts(clock, starts_in=86400), created_by=MANAGER, manager_chat_id=MANAGER
    )
    assert notice.status == NoticeStatus.PLANNED
    jobs = {i: (kind, at) for i, (kind, at, _) in scheduler.jobs.items()}
    assert jobs == {
        job_id(notice.id, "start"): ("notice.start", notice.starts_at),
        job_id(notice.id, "remind"): (
            "notice.remind",
            notice.starts_at - timedelta(seconds=settings.notice_remind_before_seconds),
        ),
        job_id(notice.id, "due"): ("notice.due", notice.ends_at),
    }


async def test_a_notice_in_force_only_waits_for_its_end(
    notices: NoticeService, scheduler: FakeScheduler, clock: FakeClock
) -> None:
    notice, _, _ = await notices.publish(
        facts(clock, starts_in=None), created_by=MANAGER, manager_chat_id=MANAGER
    )
    assert notice.status == NoticeStatus.ACTIVE
    assert list(scheduler.jobs) == [job_id(notice.id, "due")]


async def test_withdrawing_cancels_its_jobs(
    notices: NoticeService, scheduler: FakeScheduler, clock: FakeClock
) -> None:
    notice, _, _ = await notices.publish(
        facts(clock, starts_in=86400), created_by=MANAGER, manager_chat_id=MANAGER
    )
    assert await notices.withdraw(notice.id) == 0  # nobody registered to tell
    assert scheduler.jobs == {}
    withdrawn = await notices.get(notice.id)
    assert withdrawn is not None and withdrawn.status == NoticeStatus.CANCELLED
    assert await notices.withdraw(notice.id) is None  # not current any more


async def test_a_resident_asking_about_an_announced_outage_gets_the_notice(
    notices: NoticeService, clock: FakeClock, desk: FakeTicketDesk
) -> None:
    await notices.publish(facts(clock, starts_in=None), created_by=MANAGER, manager_chat_id=MANAGER)
    ask = {"chat_id": "1001", "user_id": "1001", "user_name": "", "locale": "zh"}
    answer = await notices.answer_outage(
        **ask, intent="water_outage", building="3", text="停水了吗"
    )
    assert answer and "管道检修" in answer
    other = await notices.answer_outage(**ask, intent="repair", building="3", text="灯坏了")
    assert other is None  # not an outage
    assert desk.opened == []  # answering never opens a ticket


async def test_enough_reports_without_a_notice_open_one_ticket_for_the_building(
    notices: NoticeService, clock: FakeClock, desk: FakeTicketDesk, settings: Settings
) -> None:
    for n in range(settings.outage_cluster_threshold + 2):
        await notices.answer_outage(
            chat_id=f"10{n}",
            user_id=f"10{n}",
            user_name="",
            intent="water_outage",
            building="3",
            text="没水了",
            locale="zh",
        )
        clock.advance(10)
    assert len(desk.opened) == 1
    assert desk.opened[0].building == "3"
