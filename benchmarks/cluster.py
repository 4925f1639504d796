"""Two `python -m bot run` processes in webhook mode on one PostgreSQL (MULTI_PROCESS), gas
leak reports spread over both as a load balancer would, one killed with SIGKILL mid-storm:
every resident must still get the life-saving line and a ticket, every ticket its alert.

    python -m benchmarks cluster          # needs PostgreSQL: CLUSTER_DATABASE_URL or TEST_POSTGRES_URL
    CLUSTER_REPORTS=100 CLUSTER_KILL_AFTER=1.0 python -m benchmarks cluster

The Bot API is the tests' fake server (tests/fakes/bot_api.py). Reports alternate between
the two processes' webhook ports; once one is dead, the other gets them all (nginx's
`proxy_next_upstream`). Prints the counts and the duplicates (an update being handled at
the instant of the kill is handled again by the survivor).

`BotCluster` (the processes and the balancer in front of them) and `tickets` are shared
with tests/cluster/test_processes.py, which asserts the same and more (reminders, a
broadcast, the shared rate) with a smaller load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.crash import LINE, REPO, STAFF_CHAT, _env, _reset_postgres, _until_served

FIRST_RESIDENT = 7000001
SECRET = "cluster-benchmark-secret"
LEADS = "leads now"  # bot/cluster.py's log line (INFO) when a process takes the lead
STOP_WAIT = 30.0  # seconds a process may take to stop on SIGTERM before it is killed


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec (Linux): killed when the process that started it dies, so
    a test or benchmark that is itself killed leaves no bot behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child has its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env,
            stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def tickets(database_url: str) -> list[tuple[int, str, str]]:
    """Every ticket as (id, chat id, status)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                         password=url.password, dbname=url.database) as conn:
        rows = conn.execute("SELECT id, chat_id, status FROM tickets ORDER BY id").fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


class BotCluster:
    """`count` `python -m bot run` processes in webhook mode with MULTI_PROCESS on one
    PostgreSQL, talking to the fake Bot API `fake`, and the load balancer in front of them:
    `post(update)` goes to the processes in turn, skipping one that is down. With
    `fake.route = cluster.post`, `fake.send` and `fake.press` go through the balancer.

    Use it as `async with BotCluster(...) as cluster:`; leaving the block stops every
    process (SIGTERM, then SIGKILL), whatever happened inside it."""

    def __init__(
        self, fake: Any, database_url: str, work: Path, *, count: int = 2,
        env: dict[str, str] | None = None, start_within: float = 600,
    ) -> None:
        self.fake, self.database_url, self.work = fake, database_url, work
        self.count, self.extra_env, self.start_within = count, dict(env or {}), start_within
        self.procs: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        self.logs: list[Path] = []
        self.alive: list[bool] = []
        self._turn = 0

    async def __aenter__(self) -> BotCluster:
        try:
            await self.start()
        except BaseException:
            self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    async def start(self) -> None:
        """One process after the other (the first one up leads), each until it set its
        webhook (the classifier is loaded, the database migrated)."""
        for n in range(self.count):
            port = _port()
            url = f"http://127.0.0.1:{port}/tg"
            env = _env(self.fake.url, self.fake.token, self.database_url)
            env.update(MULTI_PROCESS="true", WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET,
                       WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                       INTAKE_SPOOL_FILE=str(self.work / f"spool-{n}.jsonl"))
            env.update(self.extra_env)
            log = self.work / f"bot-{n}.log"
            self.procs.append(_spawn(env, log))
            self.urls.append(url)
            self.logs.append(log)
            self.alive.append(True)
            await self._until_up(n)

    async def _until_up(self, n: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_within
        while len(self.fake.calls_to("setWebhook")) < n + 1:
            if self.procs[n].poll() is not None:
                raise RuntimeError(f"bot process {n} exited at start:\n{self.log_tail(n)}")
            if loop.time() > deadline:
                raise TimeoutError(f"bot process {n} not up after {self.start_within} s")
            await asyncio.sleep(0.1)

    def log_tail(self, n: int, lines: int = 40) -> str:
        try:
            return "\n".join(self.logs[n].read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def leader(self) -> int | None:
        """The live process that said it leads (needs LOG_LEVEL=INFO), else None."""
        for n, log in enumerate(self.logs):
            if self.alive[n] and self.procs[n].poll() is None:
                with contextlib.suppress(OSError):
                    if LEADS in log.read_text(errors="replace"):
                        return n
        return None

    async def post(self, update: dict[str, Any]) -> int:
        """The balancer: the next process in turn, or the next one up; the HTTP status (0
        when every process is down)."""
        first = self._turn
        self._turn = (self._turn + 1) % self.count
        for k in range(self.count):
            target = (first + k) % self.count
            if not self.alive[target]:
                continue
            try:
                status = int(await self.fake.post_to_webhook(
                    update, secret=SECRET, url=self.urls[target]))
            except Exception:
                self.alive[target] = False
                continue
            if status == 200:
                return status
        return 0

    def kill(self, n: int) -> None:
        """kill -9: no shutdown, its connections simply drop."""
        self.procs[n].send_signal(signal.SIGKILL)
        self.procs[n].wait()
        self.alive[n] = False

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.alive = [False] * len(self.procs)


async def run(reports: int, kill_after: float, database_url: str) -> dict[str, int]:
    sys.path.insert(0, str(REPO))
    from tests.fakes.bot_api import FakeBotAPI

    _reset_postgres(database_url)
    work = Path(tempfile.mkdtemp(prefix="cluster-"))
    residents = [FIRST_RESIDENT + n for n in range(reports)]
    async with FakeBotAPI() as fake, BotCluster(fake, database_url, work) as cluster:
        fake.chat(STAFF_CHAT)
        fake.route = cluster.post
        began = time.monotonic()
        killed_at = None
        for n, resident in enumerate(residents):
            if killed_at is None and time.monotonic() - began >= kill_after:
                cluster.kill(0)
                killed_at = n
            await fake.send(resident, f"5栋{1001 + n}厨房有煤气味，电话139{n:08d}")
        await _until_served(fake, residents, reports, settle=3)
        cluster.stop()
        got_line = sum(1 for r in residents if any(LINE in t for t in fake.sent_texts(r)))
        doubled = sum(1 for r in residents if sum(LINE in t for t in fake.sent_texts(r)) > 1)
        alerts = sum("工单 #" in t for t in fake.sent_texts(STAFF_CHAT))
    found = tickets(database_url)
    return {"reports": reports, "killed_at": killed_at or reports, "got_line": got_line,
            "doubled_lines": doubled, "alerts": alerts, "tickets": len(found),
            "ticket_chats": len({chat for _, chat, _ in found})}


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
