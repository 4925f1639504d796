"""Conversations as real, frightened residents have them, replayed through the whole app.

Each YAML file here is a transcript in the format of `tests/transcripts/runner.py`, written
from the outside (what a resident types, what must be true), plus two checks of every step:
the bot never says the same thing three times in a row (no loop of one error), and
`ticket: {extra_contains: {key: part}}` for the resident's own words kept on the ticket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.storage.models import Ticket
from tests.transcripts.runner import Replay, load

HERE = Path(__file__).resolve().parent
MAX_SAME_IN_A_ROW = 2


def conversations() -> list[Path]:
    return sorted(HERE.glob("*.yaml"))


class Conversation(Replay):
    async def check(self, expect: dict[str, Any], where: str) -> None:
        wanted = dict(expect)
        ticket = dict(wanted.get("ticket") or {})
        contains = ticket.pop("extra_contains", None)
        if ticket:
            wanted["ticket"] = ticket
        else:
            wanted.pop("ticket", None)
        await super().check(wanted, where)
        if contains:
            await self._check_extra_contains(contains, where)
        self._check_no_loop(where)

    async def _check_extra_contains(self, contains: dict[str, str], where: str) -> None:
        async with self.h.app.db.session() as session:
            ticket = await session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert ticket is not None, f"{where}: no ticket"
        for key, part in contains.items():
            value = str((ticket.extra or {}).get(key) or "")
            assert str(part) in value, f"{where}: ticket extra {key} = {value!r} lacks {part!r}"

    def _check_no_loop(self, where: str) -> None:
        firsts = [m.plain.split("\n", 1)[0] for m in self.h.chat(self.chat)]
        for i in range(len(firsts) - MAX_SAME_IN_A_ROW):
            run = firsts[i : i + MAX_SAME_IN_A_ROW + 1]
            assert len(set(run)) > 1, f"{where}: said {run[0]!r} {len(run)} times in a row"


@pytest.mark.parametrize("path", conversations(), ids=lambda p: p.stem)
async def test_conversation(path: Path, sqlite_url: str, classifier: Any) -> None:
    await Conversation(path, load(path), sqlite_url, classifier).run()


def test_there_are_at_least_thirty_conversations() -> None:
    assert len(conversations()) >= 30
