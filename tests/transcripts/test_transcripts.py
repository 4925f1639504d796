"""Every conversation transcript in this folder, replayed through the whole app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.intents.taxonomy import EMERGENCY_INTENTS, URGENT_INTENTS
from tests.transcripts.runner import Replay, load, transcripts


@pytest.mark.parametrize("path", transcripts(), ids=lambda p: p.stem)
async def test_transcript(path: Path, sqlite_url: str, classifier: Any) -> None:
    await Replay(path, load(path), sqlite_url, classifier).run()


def _ticket_intents() -> set[str]:
    found: set[str] = set()
    for path in transcripts():
        for step in load(path)["steps"]:
            ticket = (step.get("expect") or {}).get("ticket") or {}
            if "intent" in ticket:
                found.add(ticket["intent"])
    return found


def test_every_emergency_and_urgent_intent_has_a_transcript_ending_in_a_ticket() -> None:
    assert (EMERGENCY_INTENTS | URGENT_INTENTS) <= _ticket_intents()
