"""Estates as data: the file is checked at start, residents choose or are bound to an
estate, and each estate's FAQ, buildings, groups and managers are its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.estates import Estates, EstatesError
from bot.storage.models import Ticket
from tests.estates.conftest import (
    COMPANY,
    COMPANY_MANAGER,
    GROUP_A,
    GROUP_B,
    MANAGER_A,
    qr_payload,
    two_estates,
    write_estates,
)
from tests.support.harness import Harness


def _settings(**kw: Any) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def _texts(shown: list[Any]) -> str:
    return "\n".join(m.plain for m in shown)


@pytest.fixture
async def h(sqlite_url: str, classifier: Any, tmp_path: Path) -> Any:
    harness = await two_estates(sqlite_url, classifier, tmp_path)
    try:
        yield harness
    finally:
        await harness.close()


# -- the file ------------------------------------------------------------------------------
def test_no_file_is_one_estate_from_the_settings(tmp_path: Path) -> None:
    estates = Estates.load(_settings(staff_chat_id="-1005", estate_name="阳光花园", region="HK"))
    assert [e.id for e in estates.all] == [0] and not estates.several
    only = estates.default
    assert (only.name, only.staff_chat_id, only.region) == ("阳光花园", "-1005", "HK")
    assert estates.resolved(None) == 0 and estates.staff_chat(0) == "-1005"


def test_the_example_file_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    estates = Estates.load(_settings(estates_file=root / "examples" / "estates.yaml"))
    assert estates.several and all(e.name and e.staff_chat_id for e in estates.all)


def test_two_estates_each_with_their_own_things(tmp_path: Path) -> None:
    estates = Estates.load(_settings(estates_file=write_estates(tmp_path), staff_chat_id=COMPANY))
    a, b = estates.get(1), estates.get(2)
    assert a is not None and b is not None
    assert (a.name, a.staff_chat_id, b.staff_chat_id) == ("阳光花园", GROUP_A, GROUP_B)
    assert a.registry.has_building("1") and not a.registry.has_building("3")
    assert b.registry.has_room("3", "1202") and not b.registry.has_building("1")
    assert b.notice_channel_id == "@mingyue_notices" and a.manager_ids == {MANAGER_A}
    assert estates.of_chat(GROUP_B) is b and estates.of_chat(COMPANY) is None
    assert estates.may_act(GROUP_B, 2) and not estates.may_act(GROUP_A, 2)
    assert estates.may_act(COMPANY, 1) and estates.may_act(COMPANY, 2)
    assert estates.resolved(None) is None  # several: the resident is asked
    assert estates.by_name("明月") is b and estates.by_name("2") is b and estates.by_name("花园") is a
    assert estates.by_name("花") is None and estates.by_name("小区花园") is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("estates: []", "list of estates"),
        ("estates:\n  - {id: x, name: A, staff_chat_id: '1'}", "'id' must be"),
        ("estates:\n  - {id: 70000, name: A, staff_chat_id: '1'}", "'id' must be"),
        ("estates:\n  - {id: 1, staff_chat_id: '1'}", "'name' is required"),
        ("estates:\n  - {id: 1, name: A}", "'staff_chat_id' is required"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1'}\n  - {id: 1, name: B, staff_chat_id: '2'}",
         "used twice"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1'}\n  - {id: 2, name: B, staff_chat_id: '1'}",
         "also"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1', faq: nope.yaml}", "faq file not found"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1', colour: red}", "unknown key"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1', region: US}", "region must be"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1', buildings: {'1': {floors: '1-9'}}}",
         "needs 'doors'"),
        ("estates:\n  - {id: 1, name: A, staff_chat_id: '1', office_hours: '18:00-09:00'}",
         "office hours"),
        ("estates: [", "cannot read"),
    ],
)
def test_a_malformed_file_is_refused_at_start_naming_what(
    tmp_path: Path, body: str, says: str
) -> None:
    path = tmp_path / "estates.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EstatesError) as caught:
        Estates.load(_settings(estates_file=path))
    assert says in str(caught.value) and "ESTATES_FILE" in str(caught.value)


def test_estate_zero_in_a_file_takes_what_it_leaves_out_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "estates.yaml"
    path.write_text("estates:\n  - {id: 0}\n  - {id: 3, name: 新城, staff_chat_id: '-1003'}\n",
                    encoding="utf-8")
    estates = Estates.load(_settings(estates_file=path, staff_chat_id="-1000", estate_name="老城"))
    assert (estates.default.id, estates.default.name, estates.default.staff_chat_id) == (
        0, "老城", "-1000")


def test_an_estates_address_is_read_and_estate_zero_takes_the_settings(tmp_path: Path) -> None:
    """The address a resident reads out to 120 (blind DT01, DZ05)."""
    path = tmp_path / "estates.yaml"
    path.write_text(
        "estates:\n  - {id: 0}\n"
        "  - {id: 3, name: 新城, staff_chat_id: '-1003', address: 天河路1号}\n",
        encoding="utf-8",
    )
    estates = Estates.load(
        _settings(estates_file=path, staff_chat_id="-1000", estate_name="老城", estate_address="解放路9号")
    )
    assert estates.of(3).address == "天河路1号"
    assert estates.default.address == "解放路9号"


# -- residents -----------------------------------------------------------------------------
async def test_each_estate_answers_from_its_own_faq(h: Harness) -> None:
    await h.app.profiles.set_estate("4001", "4001", 1)
    await h.app.profiles.set_estate("4002", "4002", 2)
    assert "1栋物业中心" in _texts(await h.say("4001", "物业费怎么交"))
    assert "明月App" in _texts(await h.say("4002", "物业费怎么交"))


async def test_start_without_an_estate_asks_it_first_with_buttons(h: Harness) -> None:
    await h.say("4003", "/start")
    ask = h.last("4003")
    assert "哪个小区" in ask.plain
    assert ask.button_texts[:2] == ["阳光花园", "明月小区"]
    await h.press("4003", "flow:estate:1")
    assert "现在登记吗" in h.last("4003").plain
    profile = await h.app.profiles.get("4003")
    assert profile is not None and profile.estate_id == 1
    await h.press("4003", "flow:consent:yes")
    said = _texts(await h.say("4003", "3栋1202"))  # 阳光花园 has buildings 1 and 2 only
    assert "本小区没有 3 栋" in said and "1、2" in said  # checked against its own buildings
    assert (await h.app.profiles.get("4003")).building is None  # type: ignore[union-attr]


async def test_a_typed_estate_name_answers_the_question(h: Harness) -> None:
    await h.say("4004", "/start")
    await h.say("4004", "明月")
    assert (await h.app.profiles.get("4004")).estate_id == 2  # type: ignore[union-attr]


async def test_an_emergency_before_the_estate_gets_its_line_first_then_the_estate(
    h: Harness,
) -> None:
    shown = await h.say("4005", "厨房有很浓的煤气味")
    assert "不要开关" in shown[0].plain  # the life-saving line, before any question
    ask = h.last("4005")
    assert "哪个小区" in ask.plain and "flow:estate:2" in ask.button_data
    await h.press("4005", "flow:estate:2")
    assert "哪一栋" in h.last("4005").plain
    await h.say("4005", "5栋801")
    await h.say("4005", "13900001111")
    (ticket,) = await h.app.tickets.active_tickets()
    assert ticket.estate_id == 2 and ticket.building == "5"
    assert h.chat(GROUP_B) and not h.chat(GROUP_A)


async def test_silence_before_the_estate_still_opens_the_ticket_for_the_company_group(
    h: Harness,
) -> None:
    await h.say("4006", "电梯困人了！我被关在电梯里")
    await h.tick(h.app.settings.flow_idle_escalate_seconds + 1)
    (ticket,) = await h.app.tickets.active_tickets()
    assert ticket.estate_id is None
    assert h.chat(COMPANY) and not h.chat(GROUP_A) and not h.chat(GROUP_B)
    # the company group may claim it
    await h.press(COMPANY, f"tk:claim:{ticket.id}", user="501")
    assert (await h.app.tickets.get(ticket.id)).claimed_by == "501"  # type: ignore[union-attr]


async def test_a_resident_who_moved_changes_estate(h: Harness) -> None:
    await h.say("4007", f"/start {qr_payload(h, 1, '2', '1801')}")
    await h.press("4007", "flow:consent:yes")
    await h.say("4007", "13700001111")
    assert (await h.app.profiles.get("4007")).building == "2"  # type: ignore[union-attr]
    shown = _texts(await h.say("4007", "/estate"))
    assert "阳光花园" in shown and "搬家" in shown
    await h.press("4007", "menu:estate:2")
    assert "明月小区" in h.last("4007").plain and "/start" in h.last("4007").plain
    profile = await h.app.profiles.get("4007")
    assert profile is not None and (profile.estate_id, profile.building) == (2, None)
    assert profile.phone == "13700001111"
    english = _texts(await h.say("4010", "/estate", language_code="en"))
    assert "Which estate do you live in?" in english


async def test_a_code_for_an_estate_not_in_the_file_is_not_bound(h: Harness) -> None:
    text = _texts(await h.say("4008", f"/start {qr_payload(h, 9, '3', '101')}"))
    assert "不是本小区" in text and "3栋101" not in text


async def test_the_estates_managers_are_told_of_its_unclaimed_tickets(h: Harness) -> None:
    await h.app.profiles.set_estate("4009", "4009", 1)
    await h.say("4009", "水龙头坏了，一直滴水")
    for _ in range(4):
        if h.chat(GROUP_A):
            break
        last = h.last("4009")
        if "哪一栋" in last.plain or "哪一户" in last.plain:
            await h.say("4009", "1栋1801")
        elif last.button_data and "flow:phone:skip" in last.button_data:
            await h.press("4009", "flow:phone:skip")
        else:
            await h.say("4009", "13600001111")
    assert h.chat(GROUP_A) and not h.chat(GROUP_B)
    settings = h.app.settings
    for _ in range(settings.escalate_after_reminders + 2):
        await h.tick(settings.sla_claim_seconds_normal + 1)
    assert h.chat(MANAGER_A), "estate A's own manager is told"
    assert not h.chat(COMPANY_MANAGER)  # an estate with its managers: not the company's


async def test_one_estate_deployments_keep_estate_zero(harness: Harness) -> None:
    await harness.say("5001", "3栋1202厨房有煤气味")
    await harness.tick(harness.app.settings.flow_idle_escalate_seconds + 1)
    tickets: list[Ticket] = list(await harness.app.tickets.active_tickets())
    assert [t.estate_id for t in tickets] == [0]
    assert harness.chat(harness.staff_chat)
    assert "哪个小区" not in "\n".join(m.plain for m in harness.chat("5001"))


async def test_each_estates_group_gets_its_own_digest(h: Harness) -> None:
    from bot.tickets import TicketDraft

    for estate, user in ((1, "9101"), (2, "9102"), (2, "9103")):
        await h.app.tickets.open_ticket(
            TicketDraft(chat_id=user, user_id=user, intent="repair", severity="normal",
                        description="门坏了", building="1" if estate == 1 else "3", estate_id=estate)
        )
    digest = h.app.tickets.digest
    a, b, company = [await digest.render(c) for c in (GROUP_A, GROUP_B, COMPANY)]
    assert "阳光花园" in a and "未完成：1 张" in a
    assert "明月小区" in b and "未完成：2 张" in b
    assert "未完成：3 张" in company
