"""Outage storm: 1,000 residents of one building report "no water" at 10 a second, no notice.

The reports go the way a resident's outage report goes (`notices.answer_outage`: the
notice check, the cluster, the grouped staff alert), on a simulated clock that advances
0.1 s per report, with the scheduler's due jobs run and the outbox delivered after each one.
Prints, at the 10th, 100th, 500th and 1,000th report, the SQL statements it cost and its
time (the median of the ten reports around it), and how often the grouped alert was edited
in the busiest simulated minute (Telegram allows about 20 messages a minute to a group).

    python -m benchmarks storm
    STORM_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench python -m benchmarks storm

Exit status 1 when the cost per report grows (the 1,000th costs more statements than the
100th) or the alert is edited more than 20 times in a minute.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bot.bootstrap import create_app
from bot.config import Settings
from bot.core.actions import Action, EditText
from bot.core.clock import FakeClock

REPORTS = int(os.environ.get("STORM_REPORTS", "1000"))
PER_SECOND = 10.0
CHECKPOINTS = (10, 100, 500, 1000)
GROUP_LIMIT_PER_MINUTE = 20
STAFF = "-100777"


class CountingSender:
    """Delivers instantly; remembers when (simulated) each edit of the staff group happened."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.edits: list[float] = []
        self.next_id = 0

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        if isinstance(action, EditText) and action.chat_id == STAFF:
            self.edits.append(self.clock.now().timestamp())
            return target_message_id
        self.next_id += 1
        return self.next_id


class Stub:
    """The benchmark never classifies."""


def busiest_minute(times: list[float]) -> int:
    ordered = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(ordered):
        while ordered[j] <= t - 60.0:
            j += 1
        best = max(best, i - j + 1)
    return best


async def run(database_url: str) -> tuple[dict[int, tuple[int, float]], int, int]:
    """({report number: (statements, ms)}, alert edits, edits in the busiest minute)."""
    clock = FakeClock()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, staff_chat_id=STAFF, manager_ids=["900"]
    )
    app = await create_app(settings, clock=clock, classifier=Stub())  # type: ignore[arg-type]
    sender = CountingSender(clock)
    app.outbox.sender = sender
    await app.start(background=False)
    counted = [0]

    def seen(*_: object) -> None:
        counted[0] += 1

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    costs: list[tuple[int, float]] = []
    try:
        for i in range(REPORTS):
            clock.advance(1 / PER_SECOND)
            before, started = counted[0], time.perf_counter()
            await app.notices.answer_outage(
                chat_id=str(7000000 + i),
                user_id=str(7000000 + i),
                user_name=f"住户{i}",
                intent="water_outage",
                building="8",
                text="家里没水了，整栋楼都停了吗",
                locale="zh",
            )
            costs.append((counted[0] - before, (time.perf_counter() - started) * 1000))
            await app.scheduler.run_due()
            await app.outbox.drain()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        await app.stop()
    figures: dict[int, tuple[int, float]] = {}
    for n in CHECKPOINTS:
        if n > len(costs):
            continue
        around = costs[max(0, n - 6) : n + 4]
        figures[n] = (
            int(statistics.median(c for c, _ in around)),
            statistics.median(ms for _, ms in around),
        )
    return figures, len(sender.edits), busiest_minute(sender.edits)


def _report(label: str, database_url: str) -> bool:
    figures, edits, peak = asyncio.run(run(database_url))
    print(f"{label}: {REPORTS} reports in one building at {PER_SECOND:g}/s (simulated clock)")
    for n, (statements, ms) in figures.items():
        print(f"  report {n:>5}: {statements:>3} SQL statements, {ms:6.1f} ms")
    print(
        f"  grouped alert edited {edits} times, at most {peak} in any minute "
        f"(limit about {GROUP_LIMIT_PER_MINUTE})"
    )
    counts = [s for s, _ in figures.values()]
    flat = len(counts) < 2 or counts[-1] <= counts[min(1, len(counts) - 1)]
    ok = flat and peak <= GROUP_LIMIT_PER_MINUTE
    print(f"  {'OK' if ok else 'MISSED'}: per-report cost {'flat' if flat else 'GROWS'}")
    return ok


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= _report("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 'storm.db'}")
    postgres = os.environ.get("STORM_DATABASE_URL")
    if postgres:
        from benchmarks.crash import _reset_postgres

        _reset_postgres(postgres)
        ok &= _report("PostgreSQL", postgres)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
