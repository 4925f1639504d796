"""Broadcast benchmark: an outage notice through the real delivery loop, against the rate.

The whole path a notice takes (delivery rows in SQLite, the pacer, concurrent sends, group
commits of what was sent), with a sender that answers after a simulated Telegram round trip:

- at the configured BROADCAST_RATE_PER_SECOND (default 25): throughput, and the most sends
  seen in any one-second window, which must never exceed the rate (Telegram's limit);
- unthrottled, 2,000 residents: the ceiling the machine and the database allow, i.e. how
  far above the rate the loop could go.

Exit status 1 when the configured-rate run breaks the limit or falls below 90% of it.
Run: `python -m benchmarks broadcast` (or `make bench` for every benchmark).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from bisect import bisect_right
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.app import App
from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import Action, SendText
from bot.notices.render import NoticeFacts
from bot.storage.models import Resident

LATENCY = 0.08  # seconds: a Bot API round trip from a server in mainland China
RATED_SECONDS = 12.0  # how long the configured-rate run lasts (residents = rate x this)
UNTHROTTLED = 2000
MIN_SHARE = 0.90  # the configured-rate run reaches at least 90% of the rate


class LatencySender:
    """Answers every send after `latency` seconds, and remembers when each one was sent."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.sent_at: list[float] = []
        self.next_id = 0

    async def deliver(self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None) -> int | None:
        started = time.monotonic()
        await asyncio.sleep(self.latency)
        if isinstance(action, SendText):
            self.sent_at.append(started)
        self.next_id += 1
        return self.next_id


class Stub:
    """The benchmark never classifies."""


def busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max((bisect_right(ordered, t + 1.0 - 1e-9) - i for i, t in enumerate(ordered)), default=0)


async def _app(directory: Path, rate: float) -> App:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite+aiosqlite:///{directory / 'bench.db'}",
        manager_ids=["manager"], broadcast_rate_per_second=rate,
    )
    app = await create_app(settings, classifier=Stub())  # type: ignore[arg-type]
    await app.start(background=False)
    return app


async def _residents(app: App, count: int) -> None:
    now = app.clock.now()
    rows: list[dict[str, Any]] = [
        {"user_id": str(100000 + i), "chat_id": str(100000 + i), "name": "", "locale": "zh",
         "building": str(1 + i % 20), "consent": True, "unreachable": False,
         "created_at": now, "updated_at": now}
        for i in range(count)
    ]
    async with app.db.transaction() as session:
        await session.execute(insert(Resident), rows)


async def run_once(rate: float, residents: int, latency: float) -> tuple[float, int, int]:
    """(seconds, messages sent, most sends in one second)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = await _app(Path(tmp), rate)
        try:
            sender = LatencySender(latency)
            app.outbox.sender = sender
            await _residents(app, residents)
            facts = NoticeFacts("water", [], None, None, "管道维修", "")
            await app.notices.publish(facts, created_by="manager", manager_chat_id="manager")
            started = time.monotonic()
            await app.notices.drain()
            elapsed = time.monotonic() - started
            return elapsed, len(sender.sent_at), busiest_second(sender.sent_at)
        finally:
            await app.stop()


def main() -> int:
    rate = Settings(_env_file=None).broadcast_rate_per_second  # type: ignore[call-arg]
    rate = float(os.environ.get("BROADCAST_RATE_PER_SECOND", rate))
    print(f"simulated Telegram round trip: {LATENCY * 1000:.0f} ms per message")
    failed = False
    if rate > 0:
        count = round(rate * RATED_SECONDS)
        seconds, sent, peak = asyncio.run(run_once(rate, count, LATENCY))
        throughput = sent / seconds
        ok = peak <= rate and throughput >= MIN_SHARE * rate
        failed |= not ok
        print(
            f"configured rate {rate:g}/s: {sent} residents in {seconds:.1f} s = {throughput:.1f}/s "
            f"({100 * throughput / rate:.0f}% of the rate), busiest second {peak} "
            f"{'OK' if ok else 'MISSED'} (at most {rate:g}, at least {MIN_SHARE * rate:.1f}/s)"
        )
    seconds, sent, peak = asyncio.run(run_once(0, UNTHROTTLED, LATENCY))
    throughput = sent / seconds
    print(
        f"unthrottled: {sent} residents in {seconds:.1f} s = {throughput:.0f}/s, busiest second "
        f"{peak}" + (f" ({throughput / rate:.0f}x the configured rate: headroom)" if rate > 0 else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
