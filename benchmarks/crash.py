"""Crash safety: `python -m bot run` is killed (SIGKILL) in the middle of a burst of gas-leak
reports, then started again; every resident must get the life-saving line and a ticket, and
every ticket its staff alert.

    python -m benchmarks crash                 # SQLite, 300 reports, killed 1.5 s in
    CRASH_REPORTS=100 CRASH_KILL_AFTER=0.5 python -m benchmarks crash
    CRASH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test python -m benchmarks crash

The Bot API is the tests' fake server (tests/fakes/bot_api.py), no rate limits. Each report
names the building, the flat and a phone, so the ticket opens at once. Prints how many
residents got the line, how many tickets and alerts there are, and the duplicates (a report
handled before the kill but not yet marked processed is handled again after it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
STAFF_CHAT = -1001234567890
FIRST_RESIDENT = 6000001
LINE = "关掉燃气阀门"


def _env(fake_url: str, token: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK", "DASHBOARD"))}
    env.update(
        BOT_TOKEN=token, BOT_FRAMEWORK=os.environ.get("CRASH_FRAMEWORK", "ptb"),
        TELEGRAM_API_BASE_URL=fake_url, DATABASE_URL=database_url,
        STAFF_CHAT_ID=str(STAFF_CHAT), LOG_LEVEL="WARNING",
    )
    return env


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env,
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


def _reset_postgres(database_url: str) -> None:
    """An empty schema in the given database (created when missing)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    params = {"host": url.host, "port": url.port or 5432, "user": url.username,
              "password": url.password, "autocommit": True}
    with psycopg.connect(dbname="postgres", **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{url.database}"')
    with psycopg.connect(dbname=url.database, **params) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _tickets(database_url: str, database: Path) -> int | None:
    if database_url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        with psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.database,
        ) as conn:
            row = conn.execute("SELECT count(*) FROM tickets").fetchone()
            return int(row[0]) if row else None
    if not database_url.startswith("sqlite"):
        return None
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])


async def _until_served(fake: Any, residents: Any, reports: int, settle: float) -> None:
    """Until every resident has the life-saving line and staff `reports` alerts (at most
    10 minutes), then `settle` seconds more so that anything doubled shows."""

    def done() -> bool:
        lines = all(any(LINE in t for t in fake.sent_texts(r)) for r in residents)
        alerts = sum("工单 #" in t for t in fake.sent_texts(STAFF_CHAT))
        return lines and alerts >= reports

    try:
        await fake.wait_for(done, within=600)
    except TimeoutError:
        pass
    await asyncio.sleep(settle)


async def run(reports: int, kill_after: float, database_url: str | None) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from tests.fakes.bot_api import FakeBotAPI

    work = Path(tempfile.mkdtemp(prefix="crash-"))
    database = work / "helpline.db"
    url = database_url or f"sqlite+aiosqlite:///{database}"
    if database_url and database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    log = work / "bot.log"
    residents = [FIRST_RESIDENT + n for n in range(reports)]
    async with FakeBotAPI() as fake:
        fake.chat(STAFF_CHAT)
        env = _env(fake.url, fake.token, url)
        bot = _start(env, log)
        await fake.wait_for_call("getUpdates", within=600)  # the classifier is loaded
        began = time.monotonic()
        for n, resident in enumerate(residents):
            await fake.send(resident, f"3栋{1001 + n}厨房有煤气味，电话138{n:08d}")
        await asyncio.sleep(max(0.0, kill_after - (time.monotonic() - began)))
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        before = sum(1 for r in residents if any(LINE in t for t in fake.sent_texts(r)))
        bot = _start(env, log)
        try:
            await _until_served(fake, residents, reports, settle=2)
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        got_line = sum(1 for r in residents if any(LINE in t for t in fake.sent_texts(r)))
        doubled = sum(1 for r in residents if sum(LINE in t for t in fake.sent_texts(r)) > 1)
        alerts = sum("工单 #" in t for t in fake.sent_texts(STAFF_CHAT))
    return {
        "reports": reports, "line_before_kill": before, "got_line": got_line,
        "alerts": alerts, "tickets": _tickets(url, database) or -1, "doubled_lines": doubled,
    }


def main() -> int:
    reports = int(os.environ.get("CRASH_REPORTS", "300"))
    kill_after = float(os.environ.get("CRASH_KILL_AFTER", "1.5"))
    result = asyncio.run(run(reports, kill_after, os.environ.get("CRASH_DATABASE_URL")))
    print(
        f"kill -9 {kill_after}s into {reports} gas-leak reports: "
        f"{result['line_before_kill']} had the life-saving line before the kill; after the "
        f"restart {result['got_line']}/{reports} have it, {result['alerts']} staff alerts, "
        f"tickets {result['tickets'] if result['tickets'] >= 0 else 'n/a'}, "
        f"{result['doubled_lines']} residents got the line twice"
    )
    ok = result["got_line"] == reports and result["alerts"] >= reports
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
