"""A plea that names no danger, outside an emergency: the plea step's buttons and words
(the conversations are in tests/conversations/plea_*.yaml)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.flows.answers import pleads, without_pleas
from bot.flows.emergency import PLEA_KINDS
from tests.support.harness import Harness, make_harness

RESIDENT = "5550202"


@pytest.fixture
async def h(sqlite_url: str, classifier: Any) -> AsyncIterator[Harness]:
    harness = await make_harness(sqlite_url, classifier=classifier)
    yield harness
    await harness.close()


def test_calls_for_the_police_or_an_ambulance_and_hurry_are_pleas() -> None:
    for text in ("我要报警", "打120", "快帮我打110", "急急急", "SOS", "報警啊"):
        assert pleads(text), text
    assert not pleads("报修 马桶堵了") and not pleads("急诊几点开门")
    assert without_pleas("我要报警").strip() == "我要"


async def test_the_dangers_are_two_buttons_a_row(h: Harness) -> None:
    shown = await h.say(RESIDENT, "救救我")
    assert "110" in shown[0].text
    rows = h.last(RESIDENT).buttons or ()
    assert [len(row) for row in rows] == [2, 2, 2, 2, 1]  # eight dangers, then "nothing wrong"
    data = [b.data for row in rows for b in row]
    assert [d.rsplit(":", 1)[1] for d in data[:-1]] == list(PLEA_KINDS)
