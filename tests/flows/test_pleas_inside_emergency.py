"""Inside an emergency, a plea names no other danger: "你们快来人啊" is this emergency's,
even when the model reads the plea as a sure other emergency; a plea that names a new
danger ("救命 厨房着火了") still interrupts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.flows.answers import distress, pleads, without_pleas
from bot.intents import taxonomy as tx
from bot.storage.models import Ticket
from tests.support.harness import Harness, make_harness

PLEA = "我不会弄这个 你们快来人啊"
RESIDENT = "5550101"


class PleaReadAsGas:
    """The real classifier, except that it reads the plea as a sure gas leak (what one
    retrained model did)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def classify(self, text: str) -> Any:
        found = self.real.classify(text)
        if text == PLEA:
            return replace(
                found, intent="gas_leak", severity=tx.severity_of("gas_leak"), score=0.95,
                needs_confirmation=False,
            )
        return found


@pytest.fixture
async def h(sqlite_url: str, classifier: Any) -> AsyncIterator[Harness]:
    harness = await make_harness(sqlite_url, classifier=PleaReadAsGas(classifier))
    yield harness
    await harness.close()


def test_pleas_are_distress_that_names_no_danger() -> None:
    assert pleads(PLEA) and distress(PLEA)
    assert not pleads("厨房着火了") and distress("厨房着火了")
    rest = without_pleas("救命 快来人啊 厨房着火了")
    assert "着火" in rest and "救命" not in rest and "快来" not in rest and "人" not in rest
    assert pleads("快啲嚟人呀") and pleads("你們快來人啊") and pleads("please hurry")


async def test_a_plea_inside_a_medical_emergency_keeps_it(h: Harness) -> None:
    first = await h.say(RESIDENT, "我家老头子摔倒了起不来")
    assert "120" in first[0].text
    await h.say(RESIDENT, "3栋1202")
    shown = await h.say(RESIDENT, PLEA)
    said = "\n".join(s.text for s in shown)
    assert "煤气" not in said and "燃气" not in said  # no gas-leak instructions
    await h.say(RESIDENT, "13812345678")
    async with h.app.db.session() as session:
        tickets = (await session.scalars(select(Ticket))).all()
    assert [(t.intent, t.room) for t in tickets] == [("medical", "1202")]
    assert "快来人" in tickets[0].description


async def test_a_plea_naming_a_new_danger_still_interrupts(h: Harness) -> None:
    await h.say(RESIDENT, "我家老头子摔倒了起不来")
    await h.say(RESIDENT, "3栋1202")
    shown = await h.say(RESIDENT, "救命 厨房着火了 好大的烟")
    said = "\n".join(s.text for s in shown)
    assert "119" in said


async def test_a_plea_on_an_open_emergency_ticket_stays_on_it(h: Harness) -> None:
    await h.say(RESIDENT, "我家老头子摔倒了起不来")
    await h.say(RESIDENT, "3栋1202")
    await h.say(RESIDENT, "13812345678")
    shown = await h.say(RESIDENT, PLEA)
    said = "\n".join(s.text for s in shown)
    assert said and "煤气" not in said and "燃气" not in said
    async with h.app.db.session() as session:
        tickets = (await session.scalars(select(Ticket))).all()
    assert [t.intent for t in tickets] == ["medical"]


async def test_a_plea_beside_a_new_danger_still_interrupts_on_an_open_ticket(h: Harness) -> None:
    await h.say(RESIDENT, "我家老头子摔倒了起不来")
    await h.say(RESIDENT, "3栋1202")
    await h.say(RESIDENT, "13812345678")
    shown = await h.say(RESIDENT, "救命 厨房着火了 好大的烟 快来人")
    assert "119" in "\n".join(s.text for s in shown)
