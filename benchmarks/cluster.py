"""Two `python -m bot run` processes in webhook mode on one PostgreSQL (MULTI_PROCESS), gas
leak reports spread over both as a load balancer would, one killed with SIGKILL mid-storm:
every resident must still get the life-saving line and a ticket, every ticket its alert.

    python -m benchmarks cluster          # needs PostgreSQL: CLUSTER_DATABASE_URL or TEST_POSTGRES_URL
    CLUSTER_REPORTS=100 CLUSTER_KILL_AFTER=1.0 python -m benchmarks cluster

The Bot API is the tests' fake server (tests/fakes/bot_api.py). Reports alternate between
the two processes' webhook ports; once one is dead, the other gets them all (nginx's
`proxy_next_upstream`). Prints the counts and the duplicates (an update being handled at
the instant of the kill is handled again by the survivor).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.crash import LINE, REPO, STAFF_CHAT, _env, _reset_postgres, _start, _until_served

FIRST_RESIDENT = 7000001
SECRET = "cluster-benchmark-secret"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tickets(database_url: str) -> tuple[int, int]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                         password=url.password, dbname=url.database) as conn:
        total = conn.execute("SELECT count(*) FROM tickets").fetchone()
        chats = conn.execute("SELECT count(DISTINCT chat_id) FROM tickets").fetchone()
    return int(total[0] if total else 0), int(chats[0] if chats else 0)


async def run(reports: int, kill_after: float, database_url: str) -> dict[str, int]:
    sys.path.insert(0, str(REPO))
    from tests.fakes.bot_api import FakeBotAPI

    _reset_postgres(database_url)
    work = Path(tempfile.mkdtemp(prefix="cluster-"))
    residents = [FIRST_RESIDENT + n for n in range(reports)]
    update_ids = itertools.count(1)
    async with FakeBotAPI() as fake:
        fake.chat(STAFF_CHAT)
        procs: list[subprocess.Popen[bytes]] = []
        urls: list[str] = []
        for n in range(2):
            port = _port()
            url = f"http://127.0.0.1:{port}/tg"
            env = _env(fake.url, fake.token, database_url)
            env.update(MULTI_PROCESS="true", WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET,
                       WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                       INTAKE_SPOOL_FILE=str(work / f"spool-{n}.jsonl"))
            procs.append(_start(env, work / f"bot-{n}.log"))
            urls.append(url)
            await fake.wait_for_call("setWebhook", count=n + 1, within=600)
        alive = [True, True]
        began = time.monotonic()
        killed_at = None
        for n, resident in enumerate(residents):
            if killed_at is None and time.monotonic() - began >= kill_after:
                procs[0].send_signal(signal.SIGKILL)
                procs[0].wait()
                alive[0] = False
                killed_at = n
            update = {"update_id": next(update_ids), "message": {
                "message_id": n + 1, "date": int(time.time()), "chat": fake.chat(resident),
                "from": fake.user(resident), "text": f"5栋{1001 + n}厨房有煤气味，电话139{n:08d}",
            }}
            for target in (n % 2, 1 - n % 2):  # the balancer skips a process that is down
                if not alive[target]:
                    continue
                try:
                    status = await fake.post_to_webhook(update, secret=SECRET, url=urls[target])
                except Exception:
                    alive[target] = False
                    continue
                if status == 200:
                    break

        await _until_served(fake, residents, reports, settle=3)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        got_line = sum(1 for r in residents if any(LINE in t for t in fake.sent_texts(r)))
        doubled = sum(1 for r in residents if sum(LINE in t for t in fake.sent_texts(r)) > 1)
        alerts = sum("工单 #" in t for t in fake.sent_texts(STAFF_CHAT))
    tickets, ticket_chats = _tickets(database_url)
    return {"reports": reports, "killed_at": killed_at or reports, "got_line": got_line,
            "doubled_lines": doubled, "alerts": alerts, "tickets": tickets,
            "ticket_chats": ticket_chats}


def main() -> int:
    url = os.environ.get("CLUSTER_DATABASE_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        print("skipped: set CLUSTER_DATABASE_URL (or TEST_POSTGRES_URL) to a PostgreSQL database")
        return 0
    reports = int(os.environ.get("CLUSTER_REPORTS", "200"))
    kill_after = float(os.environ.get("CLUSTER_KILL_AFTER", "1.5"))
    r = asyncio.run(run(reports, kill_after, url))
    print(
        f"two processes, {reports} gas-leak reports, one killed (SIGKILL) after report "
        f"{r['killed_at']}: {r['got_line']}/{reports} residents have the life-saving line "
        f"({r['doubled_lines']} twice), {r['tickets']} tickets for {r['ticket_chats']} "
        f"residents, {r['alerts']} staff alerts"
    )
    return 0 if r["got_line"] == reports and r["ticket_chats"] == reports else 1


if __name__ == "__main__":
    raise SystemExit(main())
