"""Conversation state and resident profiles in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import REPO_ROOT
from bot.flows.store import Marks, State
from bot.storage.models import Conversation
from tests.support.harness import Harness, make_harness
from tests.transcripts.runner import Replay, load


@pytest.fixture
async def h(database_url: str, classifier: Any) -> AsyncIterator[Harness]:
    harness = await make_harness(database_url, classifier=classifier)
    try:
        yield harness
    finally:
        await harness.close()


async def test_conversation_state_round_trips(h: Harness) -> None:
    store = h.app.flows.store
    fresh = await store.load("c1", "u1")
    assert fresh == State(chat_id="c1", user_id="u1")
    deadline = h.clock.now() + timedelta(seconds=60)
    slots = {"intent": "gas_leak", "photos": ["p1"], "text": "煤气味 <b>&", "nested": {"a": [1]}}
    state = State("c1", "u1", flow="emergency", step="phone", slots=slots, deadline_at=deadline)
    await store.save(state)
    loaded = await store.load("c1", "u1")
    assert loaded.flow == "emergency" and loaded.step == "phone"
    assert loaded.slots == slots and loaded.deadline_at == deadline
    loaded.reset({"photos": ["p1"]})
    await store.save(loaded)
    again = await store.load("c1", "u1")
    assert again.flow is None and again.slots == {"photos": ["p1"]}


async def test_a_row_of_an_earlier_version_loads_its_bookkeeping_apart(h: Harness) -> None:
    """Rows written before `Marks` kept the engine's bookkeeping among the slots under `_`
    keys; they load with it in `marks`, and are written back in the same shape."""
    stored = {
        "intent": "water_leak",
        "locale": "zh",
        "_prompt": "几栋？",
        "_buttons": {"step": "building", "shown": [["skip", "跳过"]]},
        "_tries": {"building": 1},
        "_pointer": "here",
        "_room": "1202",
        "_declined": ["phone"],
    }
    async with h.app.db.transaction() as session:
        session.add(
            Conversation(
                chat_id="c9", user_id="u9", flow="repair", step="building", slots=stored,
                updated_at=h.clock.now(),
            )
        )
    state = await h.app.flows.store.load("c9", "u9")
    assert state.slots == {"intent": "water_leak", "locale": "zh"}
    assert state.marks == Marks(
        prompt="几栋？",
        buttons={"step": "building", "shown": [["skip", "跳过"]]},
        tries={"building": 1},
        pointer="here",
        room="1202",
        declined=["phone"],
    )
    await h.app.flows.store.save(state)
    async with h.app.db.session() as session:
        row = await session.scalar(select(Conversation).where(Conversation.chat_id == "c9"))
        assert row is not None and row.slots == stored
    state.reset()
    assert state.marks == Marks()


async def test_due_deadlines_are_claimed_once(h: Harness) -> None:
    store, now = h.app.flows.store, h.clock.now()
    await store.save(State("c1", "u1", flow="emergency", step="phone", deadline_at=now))
    await store.save(
        State("c2", "u2", flow="emergency", step="phone", deadline_at=now + timedelta(seconds=5))
    )
    due = await store.due(now)
    assert [(c, u) for c, u, _ in due] == [("c1", "u1")]
    assert await store.claim("c1", due[0][2]) is True
    assert await store.claim("c1", due[0][2]) is False
    assert await store.due(now) == []


async def test_profiles_keep_details_only_with_consent(h: Harness) -> None:
    profiles = h.app.profiles
    assert await profiles.get("u1") is None
    plain = await profiles.ensure("u1", "c1", "张三", "zh")
    assert plain.consent is False and plain.building is None
    kept = await profiles.remember("u1", "c1", building="3", room="1202", phone="13812345678")
    assert (kept.building, kept.room, kept.phone, kept.consent) == (
        "3",
        "1202",
        "13812345678",
        True,
    )
    # a report about another flat does not overwrite the resident's own address
    other = await profiles.remember("u1", "c1", building="5", room="101", replace=False)
    assert (other.building, other.room) == ("3", "1202")
    assert await profiles.forget("u1") is True
    gone = await profiles.get("u1")
    assert gone is not None and (gone.building, gone.room, gone.phone, gone.consent) == (
        None,
    ) * 3 + (False,)
    assert await profiles.forget("u1") is False
    assert await profiles.forget("nobody") is False


async def test_a_blocked_resident_who_reports_again_is_reachable_again(h: Harness) -> None:
    await h.app.profiles.ensure("u1", "c1", "李四", "zh")
    await h.app.profiles.mark_unreachable("c1")
    again = await h.app.profiles.ensure("u1", "c1", "李四", "zh")
    assert again.id > 0
    from sqlalchemy import select

    from bot.storage.models import Resident

    async with h.app.db.session() as session:
        row = await session.scalar(select(Resident).where(Resident.user_id == "u1"))
    assert row is not None and row.unreachable is False


@pytest.mark.parametrize(
    "name",
    ["restart_mid_flow", "repeated_update", "start_me_forget", "gas_leak_location_in_message"],
)
async def test_transcripts_on_both_databases(name: str, database_url: str, classifier: Any) -> None:
    path = REPO_ROOT / "tests" / "transcripts" / f"{name}.yaml"
    await Replay(path, load(path), database_url, classifier).run()
