"""The bootstrap's tables and the roles value."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.roles import Roles
from bot.tickets import jobs
from tests.support.harness import Harness


@dataclass
class People:
    staff_chat_id: str = "-1"
    staff_ids: list[str] = field(default_factory=lambda: ["1"])
    supervisor_ids: list[str] = field(default_factory=lambda: ["2"])
    manager_ids: list[str] = field(default_factory=lambda: ["3"])


def test_roles_nest_managers_in_supervisors_in_staff() -> None:
    people = People()
    roles = Roles(people)
    assert [roles.is_staff(u) for u in "1234"] == [True, True, True, False]
    assert [roles.is_supervisor(u) for u in "1234"] == [False, True, True, False]
    assert [roles.is_manager(u) for u in "1234"] == [False, False, True, False]
    assert roles.is_staff_chat("-1") and not roles.is_staff_chat("1")
    people.staff_chat_id, people.manager_ids = "-2", []  # read live: a migration, a removal
    assert roles.is_staff_chat("-2") and not roles.is_manager("3")


async def test_every_job_kind_has_exactly_one_handler(harness: Harness) -> None:
    from bot.bootstrap import job_table

    app = harness.app
    assert app.privacy is not None
    table = job_table(app.tickets, app.notices, app.privacy)
    ticket_kinds = {v for k, v in vars(jobs).items() if k.isupper() and isinstance(v, str)}
    assert ticket_kinds <= set(table)
    assert {"notice.start", "notice.remind", "notice.due", "outage.sweep", "outage.alert"} <= set(table)
    assert "privacy.retention" in table
    assert set(app.scheduler._handlers) == set(table)


async def test_the_outbox_hooks_come_from_the_table(harness: Harness) -> None:
    app = harness.app
    assert app.outbox.on_blocked[0] == app.profiles.mark_unreachable
    assert app.outbox.on_migrated == [app.staff_guard.migrated]
    assert app.outbox.on_must_reach_failure == [app.staff_guard.failed]
    assert app.settings.staff_chat_id in app.outbox.must_reach
