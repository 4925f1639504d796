"""Replay blind conversations (docs/writers/conversations/*.json) through the whole app and
print what the resident and the staff group see, step by step: the way the blind rounds are
read before anything is changed (their README).

    python scripts/replay_conversations.py docs/writers/conversations/DA.json [DA03 DA12 ...]

Steps are a message (a string) or {"wait_minutes": N} (time moves on in 5-minute ticks, so
reminders come in order), {"photo": ...}, {"voice": ...}, {"sticker": ...},
{"location": ...}, {"contact": "<phone>"} or {"press": "<button label>"}. A conversation
whose first message is mostly Latin letters is sent with Telegram's language "en".
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.intents import Classifier  # noqa: E402
from tests.transcripts.runner import Replay  # noqa: E402

TICK_MINUTES = 5
ATTACHMENTS = ("photo", "voice", "sticker", "location")


def steps_of(step: Any) -> list[dict[str, Any]]:
    """The transcript runner's steps for one blind step."""
    if isinstance(step, str):
        return [{"say": step}]
    if "wait_minutes" in step:
        left, ticks = float(step["wait_minutes"]), []
        while left > 0:
            ticks.append({"tick": min(left, TICK_MINUTES) * 60})
            left -= TICK_MINUTES
        return [{"wait": step["wait_minutes"], "ticks": ticks}]
    for kind in ATTACHMENTS:
        if kind in step:
            return [{kind: {}}]
    if "contact" in step:
        return [{"contact": step["contact"]}]
    if "press" in step:
        return [{"press": step["press"]}]
    raise ValueError(f"unknown step {step!r}")


class Quiet(Replay):
    async def check(self, expect: dict[str, Any], where: str) -> None:
        """Nothing is asserted: the replay is read by a person."""


async def replay(conversation: dict[str, Any], classifier: Classifier) -> None:
    first = next((s for s in conversation["steps"] if isinstance(s, str)), "")
    latin = len(re.findall(r"[A-Za-z]", first)) > len(first) * 0.5
    lang = "en" if latin else "zh-hans"
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/replay.db"
        runner = Quiet(Path(conversation["id"]), {"steps": [{"say": "-"}]}, url, classifier)
        await runner.start()
        harness = runner.h
        print(f"===== {conversation['id']}: {conversation.get('note', '')}")

        def show(messages: list[Any]) -> None:
            for m in messages:
                who = "STAFF" if m.chat_id == harness.staff_chat else "BOT  "
                buttons = [b.text for row in (m.buttons or ()) for b in row]
                line = m.plain.replace("\n", " ⏎ ")
                print(f"   {who}: {line}" + (f"  [{' | '.join(buttons)}]" if buttons else ""))

        try:
            for blind in conversation["steps"]:
                for step in steps_of(blind):
                    if "wait" in step:
                        print(f"-- (waits {step['wait']} min)")
                        for tick in step["ticks"]:
                            show(await harness.tick(tick["tick"]))
                        continue
                    print(f"-- {step.get('say') or step}")
                    try:
                        show(await runner.act({**step, "lang": lang}))
                    except AssertionError as missing:  # a button that is not there
                        print(f"   !! {missing}")
        finally:
            await harness.close()


async def main(conversations: list[dict[str, Any]], ids: set[str]) -> None:
    classifier = Classifier.from_locales(ROOT / "locales")
    for conversation in conversations:
        if not ids or conversation["id"] in ids:
            await replay(conversation, classifier)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    written = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    asyncio.run(main(written, set(sys.argv[2:])))
