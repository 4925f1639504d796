"""The staff group cannot silently miss an alert: a group upgraded to a supergroup is
followed (new id stored, what failed resent, the group told); a group that refuses the bot
is retried and every supervisor and manager is told privately what did not arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.actions import EditText, SendText, keyboard
from bot.core.errors import Blocked, ChatMigrated, PermanentError
from bot.storage.models import BotSetting
from tests.fakes.bot_api import FakeBotAPI
from tests.support.harness import Harness, make_harness
from tests.transports.support import STAFF_CHAT, running

OLD, NEW = "-100111", "-100222"
SUPERVISOR, MANAGER = "7001", "7002"


class _Stub:
    def classify(self, text: str) -> Any:
        raise AssertionError("not classified here")


@pytest.fixture
async def h(database_url: str) -> AsyncIterator[Harness]:
    harness = await make_harness(
        database_url, classifier=_Stub(), staff_chat_id=OLD,
        supervisor_ids=[SUPERVISOR], manager_ids=[MANAGER],
    )
    yield harness
    await harness.close()


def alert(text: str = "🔴 紧急 · 燃气泄漏 · 工单 #1") -> SendText:
    return SendText(OLD, text, keyboard([("🙋 接单", "tk:claim:1")]), ref="ticket:1:alert")


async def test_a_group_upgraded_to_a_supergroup_is_followed(h: Harness, database_url: str) -> None:
    h.sender.fail_for[OLD] = [ChatMigrated(NEW)]
    await h.app.outbox.send(alert())
    await h.app.outbox.send(EditText(OLD, "ticket:1:alert", "🔴 紧急 · 燃气泄漏 · 工单 #1 · 李师傅已接单"))
    await h.app.outbox.send(SendText(OLD, "住户补充：更浓了", reply_to="ticket:1:alert"))
    await h.app.outbox.drain()

    shown = h.chat(NEW)
    texts = [m.plain for m in shown]
    assert any(NEW in t and "超级群组" in t for t in texts)  # the group is told
    alerts = [m for m in shown if "工单 #1" in m.plain]
    assert len(alerts) == 1 and "已接单" in alerts[0].plain  # resent once, then edited
    follow = next(m for m in shown if "更浓了" in m.plain)
    assert follow.reply_to == alerts[0].message_id
    assert h.app.settings.staff_chat_id == NEW and h.app.roles.is_staff_chat(NEW)
    assert await h.app.outbox.pending_count() == 0

    async with h.app.db.session() as session:
        stored = await session.get(BotSetting, "staff_chat_id")
    assert stored is not None and stored.value == {"chat_id": NEW, "from": OLD}

    again = await make_harness(database_url, classifier=_Stub(), staff_chat_id=OLD)
    try:  # a restart with STAFF_CHAT_ID still naming the old group
        assert again.app.settings.staff_chat_id == NEW
    finally:
        await again.close()
    changed = await make_harness(database_url, classifier=_Stub(), staff_chat_id="-100333")
    try:  # someone set STAFF_CHAT_ID to yet another group: that wins
        assert changed.app.settings.staff_chat_id == "-100333"
    finally:
        await changed.close()


@pytest.mark.parametrize(
    "refusal",
    [PermanentError("Bad Request: chat not found"), Blocked("Forbidden: bot was kicked from the supergroup chat")],
    ids=["chat not found", "kicked"],
)
async def test_a_group_that_refuses_the_bot_is_retried_and_supervisors_told(
    h: Harness, refusal: Exception
) -> None:
    h.sender.fail_for[OLD] = [refusal, refusal]
    await h.app.outbox.send(alert())
    await h.app.outbox.drain()
    for person in (SUPERVISOR, MANAGER):
        told = h.chat(person)
        assert len(told) == 1 and "工作群收不到" in told[0].plain and "工单 #1" in told[0].plain
        assert told[0].button_data == ["tk:claim:1"]  # they can claim it from there
    assert h.chat(OLD) == [] and await h.app.outbox.pending_count() == 1

    await h.tick(2)  # the retry fails again: nobody is told twice
    assert [len(h.chat(p)) for p in (SUPERVISOR, MANAGER)] == [1, 1]
    await h.tick(10)  # the bot is back in the group
    assert [m.plain for m in h.chat(OLD)] == ["🔴 紧急 · 燃气泄漏 · 工单 #1"]


async def test_an_alert_rejected_for_good_still_reaches_a_person(h: Harness) -> None:
    h.sender.fail_for[OLD] = [PermanentError("Bad Request: can't parse entities")]
    await h.app.outbox.send(alert())
    await h.app.outbox.drain()
    assert await h.app.outbox.pending_count() == 0
    assert all("工单 #1" in h.chat(p)[0].plain for p in (SUPERVISOR, MANAGER))


async def test_a_plain_429_in_the_group_tells_nobody(h: Harness) -> None:
    from bot.core.errors import RetryAfter

    h.sender.fail_for[OLD] = [RetryAfter(3)]
    await h.app.outbox.send(alert())
    await h.app.outbox.drain()
    await h.tick(3)
    assert h.chat(SUPERVISOR) == [] and len(h.chat(OLD)) == 1


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_through_telegram_the_migration_is_followed(
    framework: str, fake: FakeBotAPI, sqlite_url: str
) -> None:
    new = -1009998887776
    fake.chat(new)
    fake.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
              migrate_to_chat_id=new, chat_id=STAFF_CHAT)
    async with running(fake, sqlite_url, framework=framework) as run:
        await run.app.outbox.send(SendText(str(STAFF_CHAT), "🔴 工单 #1", ref="ticket:1:alert"))
        await run.settled()
        texts = fake.sent_texts(new)
        assert "🔴 工单 #1" in texts and any("超级群组" in t for t in texts)
        assert run.app.settings.staff_chat_id == str(new)


# -- a team's group and an estate's group (TEAMS_FILE, ESTATES_FILE) ----------------------------
TEAM_OLD, TEAM_NEW = "-100501", "-100502"
ESTATE_OLD, ESTATE_NEW = "-100601", "-100602"


def teams_file(root: Path) -> Path:
    path = root / "teams.yaml"
    path.write_text(
        f'teams:\n  engineering:\n    name: 工程部\n    chat_id: "{TEAM_OLD}"\n'
        "    intents: [repair]\n",
        encoding="utf-8",
    )
    return path


def estates_file(root: Path) -> Path:
    teams = teams_file(root)
    path = root / "estates.yaml"
    path.write_text(
        f'estates:\n  - id: 1\n    name: 阳光花园\n    staff_chat_id: "{ESTATE_OLD}"\n'
        f"    teams: {teams.name}\n  - id: 2\n    name: 明月小区\n"
        '    staff_chat_id: "-100701"\n',
        encoding="utf-8",
    )
    return path


def team_alert(chat: str = TEAM_OLD) -> SendText:
    return SendText(chat, "🔵 维修 · 工单 #2", keyboard([("🙋 接单", "tk:claim:2")]), ref="ticket:2:alert")


async def test_a_team_group_upgraded_to_a_supergroup_is_followed(
    database_url: str, tmp_path: Path
) -> None:
    settings = {"staff_chat_id": OLD, "teams_file": teams_file(tmp_path)}
    h = await make_harness(database_url, classifier=_Stub(), **settings)
    try:
        h.sender.fail_for[TEAM_OLD] = [ChatMigrated(TEAM_NEW)]
        await h.app.outbox.send(team_alert())
        await h.app.outbox.send(EditText(TEAM_OLD, "ticket:2:alert", "🔵 维修 · 工单 #2 · 李师傅已接单"))
        await h.app.outbox.drain()

        texts = [m.plain for m in h.chat(TEAM_NEW)]
        told = [t for t in texts if "超级群组" in t]
        assert len(told) == 1 and TEAM_OLD in told[0] and TEAM_NEW in told[0]  # the group is told
        alerts = [t for t in texts if "工单 #2" in t]
        assert alerts == ["🔵 维修 · 工单 #2 · 李师傅已接单"]  # resent once, then edited
        assert h.app.tickets.teams.get("engineering").chat_id == TEAM_NEW  # type: ignore[union-attr]
        assert h.app.roles.is_staff_chat(TEAM_NEW) and not h.app.roles.is_staff_chat(TEAM_OLD)
        assert h.app.tickets.team_of_chat(TEAM_NEW) is not None
        assert h.app.settings.staff_chat_id == OLD  # the main group stays
        assert await h.app.outbox.pending_count() == 0

        h.sender.fail_for[TEAM_NEW] = [Blocked("Forbidden: bot was kicked")]
        await h.app.outbox.send(team_alert(TEAM_NEW))  # the new group must be reached too
        await h.app.outbox.drain()
        assert await h.app.outbox.pending_count() == 1 and h.chat(SUPERVISOR) == []
    finally:
        await h.close()

    again = await make_harness(database_url, classifier=_Stub(), **settings)
    try:  # a restart with the teams file still naming the old group
        async with again.app.db.session() as session:
            stored = await session.get(BotSetting, "group_chats")
        assert stored is not None and stored.value == {TEAM_OLD: TEAM_NEW}
        assert again.app.tickets.teams.get("engineering").chat_id == TEAM_NEW  # type: ignore[union-attr]
        assert again.app.roles.is_staff_chat(TEAM_NEW) and TEAM_NEW in again.app.outbox.must_reach
    finally:
        await again.close()
    other = tmp_path / "other"
    other.mkdir()
    (other / "teams.yaml").write_text(
        'teams:\n  engineering:\n    chat_id: "-100599"\n    intents: [repair]\n', encoding="utf-8"
    )
    changed = await make_harness(
        database_url, classifier=_Stub(), staff_chat_id=OLD, teams_file=other / "teams.yaml"
    )
    try:  # the file now names yet another group: that wins
        assert changed.app.tickets.teams.get("engineering").chat_id == "-100599"  # type: ignore[union-attr]
    finally:
        await changed.close()


async def test_an_estates_groups_are_followed_and_a_second_migration_chains(
    database_url: str, tmp_path: Path
) -> None:
    settings = {"staff_chat_id": OLD, "estates_file": estates_file(tmp_path)}
    h = await make_harness(database_url, classifier=_Stub(), **settings)
    try:
        h.sender.fail_for[ESTATE_OLD] = [ChatMigrated(ESTATE_NEW)]
        await h.app.outbox.send(SendText(ESTATE_OLD, "🔴 紧急 · 工单 #3", ref="ticket:3:alert"))
        await h.app.outbox.drain()
        assert h.app.tickets.estates.staff_chat(1) == ESTATE_NEW
        assert next(m.plain for m in h.chat(ESTATE_NEW)) == "🔴 紧急 · 工单 #3"
        assert any("超级群组" in m.plain for m in h.chat(ESTATE_NEW))
        assert h.app.tickets.estates.scope_of_chat(ESTATE_NEW) == 1  # acts on its estate only

        h.sender.fail_for[TEAM_OLD] = [ChatMigrated(TEAM_NEW)]  # estate 1's team group
        await h.app.outbox.send(team_alert())
        await h.app.outbox.drain()
        h.sender.fail_for[TEAM_NEW] = [ChatMigrated("-100503")]  # and once more
        await h.app.outbox.send(team_alert(TEAM_NEW))
        await h.app.outbox.drain()
        assert h.app.tickets.teams_for(1).get("engineering").chat_id == "-100503"  # type: ignore[union-attr]
        assert h.app.tickets.estates.scope_of_chat("-100503") == 1
        assert [m.plain for m in h.chat("-100503")].count("🔵 维修 · 工单 #2") == 1
        assert h.app.settings.staff_chat_id == OLD
    finally:
        await h.close()
    again = await make_harness(database_url, classifier=_Stub(), **settings)
    try:
        assert again.app.tickets.estates.staff_chat(1) == ESTATE_NEW
        assert again.app.tickets.teams_for(1).get("engineering").chat_id == "-100503"  # type: ignore[union-attr]
    finally:
        await again.close()


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_through_telegram_a_team_groups_migration_is_followed(
    framework: str, fake: FakeBotAPI, sqlite_url: str, tmp_path: Path
) -> None:
    old, new = int(TEAM_OLD), -1009998880001
    fake.chat(old)
    fake.chat(new)
    fake.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
              migrate_to_chat_id=new, chat_id=old)
    async with running(fake, sqlite_url, framework=framework, teams_file=teams_file(tmp_path)) as run:
        await run.app.outbox.send(team_alert())
        await run.settled()
        texts = fake.sent_texts(new)
        assert "🔵 维修 · 工单 #2" in texts and any("超级群组" in t for t in texts)
        assert run.app.tickets.teams.get("engineering").chat_id == str(new)  # type: ignore[union-attr]
        assert run.app.settings.staff_chat_id == str(STAFF_CHAT)
