"""The intake: every update is stored before Telegram is told it arrived, handled per chat in
order (different chats at the same time, emergencies first in a backlog), and handled again
after a crash if it was not finished. When the database is down, residents still get an
answer and nothing is lost.

    transport -> Intake.receive(incoming)   durable when it returns (the inbox table, or the
                                            spool file when the database is down): only then
                                            does the transport confirm the update (polling
                                            offset, webhook 200)
              -> one queue per chat -> App.handle -> marked processed, inbox row deleted

At-least-once: an update is handled again after a crash only if it was not marked processed;
a redelivered update that was is ignored (`processed_updates`).

Several processes on one PostgreSQL (`instance` given; bot/cluster.py): an inbox row names
the process that stored it (`owner`), and only that one handles it; the same update stored
by another process meanwhile (Telegram sent it again to another process behind the load
balancer) is not handled twice. The rows of a process that died are adopted by the leader
(`adopt`, every round of the cluster) and at each start, and handled there. One chat is
handled by one process at a time (`ChatLocks`: an advisory lock per chat), and the holder
first handles the chat's earlier updates stored by other processes: per-chat order holds.

Degraded mode: when the database cannot be reached or does not answer (connect, statement
and pool timeouts; `is_unavailable`), a resident's message is answered at once straight
through the transport's sender: the life-saving line and the emergency numbers when the
classifier says emergency, otherwise "your message is recorded, staff will contact you";
the staff group is told once that the database is down; the update is kept in memory and in
a JSON-lines spool file, and handled when the database answers again (and at the next
start, if the process ends before).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import logging
import os
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.core.actions import SendText
from bot.core.incoming import Incoming
from bot.storage.db import is_unavailable
from bot.storage.models import InboxUpdate, ProcessedUpdate

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.cluster import ChatLocks
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.intents import Classifier
    from bot.storage.db import Database
    from bot.texts import Texts

log = logging.getLogger(__name__)

CONCURRENCY = 16  # chats handled at the same time
STORE_TIMEOUT = 1.5  # seconds to store an update before the database counts as down (or hangs)
STORE_PER_UPDATE = 0.015  # seconds more for each update of a getUpdates batch (100: 3 s)
HANDLE_TIMEOUT = 60.0  # seconds one update may take before the database counts as hanging
REPLY_TIMEOUT = 10.0  # seconds a direct reply may take in degraded mode
LINES_FIRST = 5.0  # seconds an update's handling waits at most for the life-saving lines
MORE_COMING = 0.3  # seconds after a full getUpdates batch in which the next one is expected
PROBE_EVERY = 2.0  # seconds between two checks of a database that is down
SUMMARY_EVERY = 60.0  # seconds between two "still down" log lines
STAFF_NOTICE_EVERY = 1800.0  # seconds: one "database down" notice per outage, at most this often
EMERGENCY, NORMAL = 0, 1

class NotStored(Exception):
    """The update could be kept nowhere (database and spool file both failed): do not
    confirm it to Telegram, which will send it again."""


def default_spool_path(database_url: str) -> Path:
    """Next to a SQLite database file; else `data/intake-spool.jsonl` (`INTAKE_SPOOL_FILE`)."""
    if os.environ.get("INTAKE_SPOOL_FILE"):
        return Path(os.environ["INTAKE_SPOOL_FILE"])
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database or "")
        return database.with_name(database.name + ".spool.jsonl")
    return Path("data") / "intake-spool.jsonl"


@dataclass
class _Chat:
    queue: deque[Incoming] = field(default_factory=deque)
    busy: bool = False


class Intake:
    def __init__(
        self,
        handle: Callable[[Incoming], Awaitable[None]],
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Outbox,
        classifier: Classifier,
        concurrency: int = CONCURRENCY,
        spool_path: Path | None = None,
        instance: str | None = None,
        live: Callable[[], Awaitable[set[str]]] | None = None,
        chat_locks: ChatLocks | None = None,
        early_line: Callable[[Incoming], tuple[str, str] | None] | None = None,
    ) -> None:
        """`instance` and `live`: this process's id and who is alive, when several processes
        share the database (None: one process, every inbox row is this one's)."""
        self.handle = handle  # `App.handle`: route one update once
        self.instance = instance
        self.live = live
        self.chat_locks = chat_locks  # several processes: one chat in one process at a time
        self.settings = settings
        self.clock = clock
        self.db = db
        self.texts = texts
        self.outbox = outbox
        self.classifier = classifier
        self.concurrency = concurrency
        self.spool_path = spool_path or default_spool_path(settings.database_url)
        # the life-saving line a message calls for, queued with the update itself (urgent
        # lane) so that a burst does not wait for handling: (text key, text) or None
        self.early_line = early_line
        self._chats: dict[str, _Chat] = {}
        self._ready: list[tuple[int, int, str]] = []  # (priority, order, chat): a heap
        self._order = itertools.count()
        self._ready_event = asyncio.Event()
        self._keys: set[str] = set()  # queued or being handled
        self._idle = asyncio.Event()
        self._idle.set()
        self._workers: list[asyncio.Task[None]] = []
        # a burst: no handling starts while updates are being stored (and their lines sent)
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._receiving = 0
        self._quiet_timer: asyncio.TimerHandle | None = None
        # degraded mode
        self.down = False
        self._held: dict[str, Incoming] = {}  # kept while the database is down
        self._replied: set[str] = set()
        self._staff_told_at: float | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._down_since: float | None = None
        self._spool_lock = asyncio.Lock()
        # a start without the database (`start_degraded`): the rest of the app's start, run
        # when the database answers, before the held updates are stored
        self._resume: Callable[[], Awaitable[None]] | None = None
        self._resume_failed_at: float | None = None
        self._resuming = False  # the start was finished, the inbox not yet replayed

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the workers, then handle what a previous run left: the spool file (updates
        received while the database was down) and the inbox (received, never finished)."""
        if self._workers:
            return
        self._workers = [
            asyncio.create_task(self._work(), name=f"intake-{n}") for n in range(self.concurrency)
        ]
        await self.replay()

    async def start_degraded(
        self, exc: BaseException, *, resume: Callable[[], Awaitable[None]]
    ) -> None:
        """The app starts while the database is down or hangs: updates are answered and
        held from the first one (nothing waits for a timeout), the staff group is told once
        the transport is attached, and when the database answers `resume` (migrations,
        scheduler, delivery loops) runs first, then what was held and what a previous run
        left (spool file, inbox) is stored and handled."""
        if self._workers:
            return
        self._resume = resume
        self._went_down(exc, starting=True)
        self.down = True
        self._workers = [
            asyncio.create_task(self._work(), name=f"intake-{n}") for n in range(self.concurrency)
        ]
        for incoming in await self._read_spool():  # already answered by the last run
            self._held.setdefault(incoming.update_id, incoming)
            self._replied.add(incoming.update_id)
        self._recovery = asyncio.create_task(self._recover(), name="intake-recovery")

    async def join(self) -> None:
        """Until every update received so far is handled (or held for the database)."""
        while not self._idle.is_set():
            await self._idle.wait()

    async def stop(self) -> None:
        """Handle what is queued, then end the workers. Held updates stay in the spool."""
        if self._workers:
            try:
                await asyncio.wait_for(self.join(), HANDLE_TIMEOUT)
            except TimeoutError:
                log.warning("stopping with updates still being handled; they are handled at the next start")
        for task in [*self._workers, *([self._recovery] if self._recovery else [])]:
            task.cancel()
        for task in [*self._workers, *([self._recovery] if self._recovery else [])]:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._workers.clear()
        self._recovery = None
        if self.chat_locks is not None:
            await self.chat_locks.close()

    # -- receiving -----------------------------------------------------------------------------
    async def receive(self, incoming: Incoming) -> None:
        """Keep `incoming` durably, then queue it. Returns once it is safe to confirm the
        update to Telegram; raises `NotStored` when it is not."""
        if self.down:
            await self._degrade(incoming)
            return
        try:
            if self.early_line is not None:  # with its life-saving line, if it calls for one
                lines = self._lines([incoming])
                try:
                    stored = await asyncio.wait_for(
                        self._insert_many([incoming], lines), STORE_TIMEOUT
                    )
                except IntegrityError:  # the same update stored meanwhile (a redelivery)
                    # several processes: the one that stored it handles it
                    stored = [incoming] if self.instance is None else []
                fresh = bool(stored)
                incoming = stored[0] if stored else incoming
            else:
                fresh = await asyncio.wait_for(self._store(incoming), STORE_TIMEOUT)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._went_down(exc)
            await self._degrade(incoming)
            return
        if fresh:
            self._dispatch(incoming)

    async def receive_many(self, batch: list[Incoming], *, full: bool = False) -> None:
        """A getUpdates batch: kept durably in one transaction (not one per update), then
        queued; like `receive`, it returns once the whole batch is safe to confirm. `full`:
        the batch was as large as asked for, more are probably waiting at Telegram, so the
        handling waits a moment longer for them (their life-saving lines go first)."""
        self._receiving += 1
        self._quiet.clear()
        if self._quiet_timer is not None:
            self._quiet_timer.cancel()
            self._quiet_timer = None
        try:
            await self._receive_many(batch)
        finally:
            self._receiving -= 1
            if not self._receiving:
                if full:
                    loop = asyncio.get_running_loop()
                    self._quiet_timer = loop.call_later(MORE_COMING, self._quiet.set)
                else:
                    self._quiet.set()

    async def _lines_first(self) -> None:
        """Before an update's handling starts: while a burst is being received, until its
        life-saving lines are out (at most LINES_FIRST seconds), so that the handling does
        not take the machine and the database from them."""
        try:
            async with asyncio.timeout(LINES_FIRST):
                await self._quiet.wait()
                await self.outbox.urgent_first(LINES_FIRST)
        except TimeoutError:
            pass

    async def _receive_many(self, batch: list[Incoming]) -> None:
        if self.down and len(batch) > 1:
            await self._degrade_many(batch)
            return
        if self.down or len(batch) < 2:
            for incoming in batch:
                await self.receive(incoming)
            return
        lines = self._lines(batch)
        try:
            fresh = await asyncio.wait_for(
                self._insert_many(batch, lines), STORE_TIMEOUT + STORE_PER_UPDATE * len(batch)
            )
        except IntegrityError:  # some stored meanwhile (a redelivery): one at a time
            for incoming in batch:
                await self.receive(incoming)
            return
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._went_down(exc)
            await self._degrade_many(batch)
            return
        for incoming in fresh:
            self._dispatch(incoming)

    def _lines(self, batch: list[Incoming]) -> dict[str, tuple[str, str]]:
        """The life-saving lines the batch's messages call for, by update id."""
        if self.early_line is None:
            return {}
        lines: dict[str, tuple[str, str]] = {}
        for incoming in batch:
            if incoming.update_id in self._keys or incoming.line_sent:
                continue
            try:
                line = self.early_line(incoming)
            except Exception:
                log.exception("life-saving line for update %s not decided", incoming.update_id)
                continue
            if line is not None:
                lines[incoming.update_id] = line
        return lines

    async def _insert_many(
        self, batch: list[Incoming], lines: dict[str, tuple[str, str]] | None = None
    ) -> list[Incoming]:
        """Into the inbox in one transaction, with the life-saving lines `lines` (the urgent
        lane, `Incoming.line_sent` set); returns those not handled before."""
        unique = list({i.update_id: i for i in batch}.values())
        keys = [i.update_id for i in unique]
        staged: list[Any] = []
        try:
            fresh = await self._insert_rows(unique, keys, lines or {}, staged)
        except BaseException:
            self.outbox.unstage(staged)
            raise
        self.outbox.staged(staged)
        return fresh

    async def _insert_rows(
        self,
        unique: list[Incoming],
        keys: list[str],
        lines: dict[str, tuple[str, str]],
        staged: list[Any],
    ) -> list[Incoming]:
        out: list[Incoming] = []
        async with self.db.transaction() as session:
            processed = set(
                (
                    await session.scalars(
                        select(ProcessedUpdate.key).where(ProcessedUpdate.key.in_(keys))
                    )
                ).all()
            )
            found = await session.execute(
                select(InboxUpdate.key, InboxUpdate.owner).where(InboxUpdate.key.in_(keys))
            )
            owners = {key: owner for key, owner in found}
            stored = set(owners)
            now = self.clock.now()
            for incoming in unique:
                if incoming.update_id in processed:
                    continue
                if (
                    self.instance is not None
                    and incoming.update_id in stored
                    and owners[incoming.update_id] != self.instance
                ):
                    continue  # another process has it (or the leader adopts it if it died)
                if incoming.update_id not in stored:
                    line = lines.get(incoming.update_id)
                    if line is not None:
                        key, text_ = line
                        staged.append(
                            self.outbox.stage(
                                session, SendText(incoming.chat_id, text_, urgent=True)
                            )
                        )
                        incoming = replace(incoming, line_sent=key)
                    session.add(
                        InboxUpdate(
                            key=incoming.update_id, chat_id=incoming.chat_id,
                            payload=incoming.to_dict(), received_at=now, owner=self.instance,
                        )
                    )
                out.append(incoming)
            if staged:
                await session.flush()  # one round trip for the whole batch
                self.outbox.hold(staged)
        return out

    async def _store(self, incoming: Incoming) -> bool:
        """Into the inbox; False when it was handled before (a redelivery)."""
        try:
            return await self._insert(incoming)
        except IntegrityError:  # the same update stored meanwhile (a redelivery)
            return self.instance is None  # several processes: the one that stored it handles it

    async def _insert(self, incoming: Incoming) -> bool:
        async with self.db.transaction() as session:
            if await session.get(ProcessedUpdate, incoming.update_id) is not None:
                return False
            exists = await session.execute(
                select(InboxUpdate.id, InboxUpdate.owner).where(
                    InboxUpdate.key == incoming.update_id
                )
            )
            found = exists.first()
            if found is None:
                session.add(
                    InboxUpdate(
                        key=incoming.update_id, chat_id=incoming.chat_id,
                        payload=incoming.to_dict(), received_at=self.clock.now(),
                        owner=self.instance,
                    )
                )
            elif self.instance is not None and found.owner != self.instance:
                return False  # another process has it (or the leader adopts it if it died)
        return True

    async def adopt(self) -> int:
        """Several processes: take over the inbox rows of processes that are gone, and
        handle them here (oldest first); returns how many."""
        if self.instance is None or self.live is None:
            return 0
        alive = await self.live()
        alive.add(self.instance)
        async with self.db.transaction() as session:
            orphans = (
                await session.scalars(
                    select(InboxUpdate.id).where(
                        or_(InboxUpdate.owner.is_(None), InboxUpdate.owner.not_in(alive))
                    )
                )
            ).all()
            if not orphans:
                return 0
            await session.execute(
                update(InboxUpdate)
                .where(
                    InboxUpdate.id.in_(orphans),
                    or_(InboxUpdate.owner.is_(None), InboxUpdate.owner.not_in(alive)),
                )
                .values(owner=self.instance)
                .execution_options(synchronize_session=False)
            )
        count = await self._queue_inbox()
        if count:
            log.info("adopted %d update(s) of a process that is gone", count)
        return count

    async def replay(self) -> int:
        """Queue the spool file's and the inbox's updates (oldest first); returns how many."""
        for incoming in await self._read_spool():
            self._held.setdefault(incoming.update_id, incoming)
        if self._held:  # stored; queued with the inbox below, oldest first
            if not await self._flush_held(dispatch=False):
                return 0
        if self.instance is not None:
            await self.adopt()  # what processes that are gone left (this one is new)
        count = await self._queue_inbox()
        if count:
            log.info("handling %d update(s) received before the restart", count)
        return count

    async def _queue_inbox(self) -> int:
        """Queue this process's inbox rows that are not queued yet (all rows: one process)."""
        count = 0
        query = select(InboxUpdate).order_by(InboxUpdate.id)
        if self.instance is not None:
            query = query.where(InboxUpdate.owner == self.instance)
        async with self.db.session() as session:
            rows = (await session.scalars(query)).all()
        for row in rows:
            try:
                incoming = Incoming.from_dict(row.payload)
            except Exception:
                log.exception("inbox row %s cannot be read; dropped", row.key)
                await self._forget(row.key)
                continue
            if incoming.update_id not in self._keys:
                self._dispatch(incoming)
                count += 1
        return count

    # -- per-chat queues -------------------------------------------------------------------------
    def _dispatch(self, incoming: Incoming) -> None:
        if incoming.update_id in self._keys:
            return
        self._keys.add(incoming.update_id)
        self._idle.clear()
        chat = self._chats.setdefault(incoming.chat_id, _Chat())
        chat.queue.append(incoming)
        if not chat.busy and len(chat.queue) == 1:
            self._make_ready(incoming.chat_id, incoming)

    def _make_ready(self, chat_id: str, first: Incoming) -> None:
        heapq.heappush(self._ready, (self._priority(first), next(self._order), chat_id))
        self._ready_event.set()

    def _priority(self, incoming: Incoming) -> int:
        """Emergencies first, but only when there is a backlog to jump (classifying costs)."""
        if not self._ready or not incoming.is_private or not incoming.text:
            return NORMAL
        if incoming.line_sent:
            return EMERGENCY
        try:
            return EMERGENCY if self.classifier.classify(incoming.text).is_emergency else NORMAL
        except Exception:
            return NORMAL

    async def _work(self) -> None:
        while True:
            while not self._ready:
                self._ready_event.clear()
                await self._ready_event.wait()
            _, _, chat_id = heapq.heappop(self._ready)
            chat = self._chats[chat_id]
            chat.busy = True
            incoming = chat.queue.popleft()
            try:
                await self._lines_first()
                await self._handle(incoming)
            except Exception:
                log.exception("update %s could not be handled", incoming.update_id)
            finally:
                self._keys.discard(incoming.update_id)
                chat.busy = False
                if chat.queue:
                    self._make_ready(chat_id, chat.queue[0])
                else:
                    del self._chats[chat_id]
                if not self._keys:
                    self._idle.set()

    async def _handle(self, incoming: Incoming) -> None:
        if self.down:  # no need to wait for the timeouts again: keep it for later
            await self._degrade(incoming)
            return
        try:
            if self.chat_locks is None:
                await asyncio.wait_for(self.handle(incoming), HANDLE_TIMEOUT)
            else:
                async with self.chat_locks.hold(incoming.chat_id):
                    for earlier in await self._earlier(incoming):
                        await asyncio.wait_for(self.handle(earlier), HANDLE_TIMEOUT)
                    await asyncio.wait_for(self.handle(incoming), HANDLE_TIMEOUT)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._went_down(exc)
            await self._degrade(incoming)

    async def _earlier(self, incoming: Incoming) -> list[Incoming]:
        """Several processes: the same chat's updates stored before this one by other
        processes and not handled yet; handled here first, in order (their processes then
        find them handled)."""
        async with self.db.session() as session:
            mine = await session.scalar(
                select(InboxUpdate.id).where(InboxUpdate.key == incoming.update_id)
            )
            if mine is None:
                return []
            rows = (
                await session.scalars(
                    select(InboxUpdate)
                    .where(
                        InboxUpdate.chat_id == incoming.chat_id,
                        InboxUpdate.id < mine,
                        InboxUpdate.owner != self.instance,
                    )
                    .order_by(InboxUpdate.id)
                )
            ).all()
        return [Incoming.from_dict(row.payload) for row in rows]

    # -- degraded mode ---------------------------------------------------------------------------
    def _went_down(self, exc: BaseException, *, starting: bool = False) -> None:
        """One log line when the database goes away (not one per update: a storm would
        flood the log); `_recover` adds a summary every SUMMARY_EVERY while it is down."""
        if self.down:
            return
        self._down_since = asyncio.get_running_loop().time()
        log.error(
            "database unavailable%s (%s): degraded mode, residents answered directly, "
            "updates kept in %s until it is back",
            " at start" if starting else "",
            exc.__class__.__name__ + (f": {exc}" if str(exc) else ""),
            self.spool_path,
        )

    async def _degrade(self, incoming: Incoming) -> None:
        """Keep the update (memory and spool file), answer the resident directly, tell the
        staff group once, and watch for the database to come back."""
        self.down = True
        kept = incoming.update_id in self._held
        self._held[incoming.update_id] = incoming
        try:
            if not kept:
                await self._spool(incoming)
        except OSError as exc:
            log.error("spool file %s cannot be written: %s", self.spool_path, exc)
            if incoming.update_id not in self._replied:
                del self._held[incoming.update_id]
                raise NotStored(str(exc)) from exc
        await self._reply_directly(incoming)
        await self._tell_staff()
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.create_task(self._recover(), name="intake-recovery")

    async def _degrade_many(self, batch: list[Incoming]) -> None:
        """`_degrade` for a getUpdates batch: one spool write (one fsync) for the batch,
        then the residents' answers side by side (a burst does not wait in line)."""
        self.down = True
        new = [i for i in {i.update_id: i for i in batch}.values() if i.update_id not in self._held]
        try:
            if new:
                await self._spool(*new)
        except OSError as exc:
            log.error("spool file %s cannot be written: %s", self.spool_path, exc)
            raise NotStored(str(exc)) from exc
        for incoming in new:
            self._held[incoming.update_id] = incoming
        gate = asyncio.Semaphore(self.concurrency)

        async def reply(incoming: Incoming) -> None:
            async with gate:
                await self._reply_directly(incoming)

        await asyncio.gather(*(reply(i) for i in batch))
        await self._tell_staff()
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.create_task(self._recover(), name="intake-recovery")

    async def _spool(self, *incoming: Incoming) -> None:
        lines = [json.dumps(i.to_dict(), ensure_ascii=False) for i in incoming]
        async with self._spool_lock:
            await asyncio.to_thread(self._append_lines, lines)

    def _append_lines(self, lines: list[str]) -> None:
        self.spool_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spool_path.open("a", encoding="utf-8") as spool:
            spool.write("".join(line + "\n" for line in lines))
            spool.flush()
            os.fsync(spool.fileno())

    async def _read_spool(self) -> list[Incoming]:
        try:
            lines = self.spool_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(Incoming.from_dict(json.loads(line)))
            except Exception:  # a line cut by a crash
                log.warning("unreadable spool line skipped")
        return out

    async def _reply_directly(self, incoming: Incoming) -> None:
        """The resident's answer without the database: straight through the transport."""
        sender = self.outbox.sender
        if (
            sender is None or incoming.update_id in self._replied or not incoming.is_private
            or incoming.is_button or incoming.edited
        ):
            return
        self._replied.add(incoming.update_id)
        locale = self.texts.pick_locale(incoming.language_code)
        numbers = self.settings.emergency_numbers()
        intent = None
        if incoming.text:
            try:
                result = self.classifier.classify(incoming.text)
                intent = result.intent if result.is_emergency else None
            except Exception:
                log.exception("classifier failed in degraded mode")
        t = self.texts.bind(locale, defaults=numbers)
        if intent and t.has(f"safety.{intent}.now"):
            numbers_key = "resident.numbers_hk" if self.settings.region == "HK" else "resident.numbers"
            reply = "\n\n".join((t(f"safety.{intent}.now"), t(numbers_key)))
        else:
            reply = t("common.internal_error")
        try:
            await asyncio.wait_for(
                sender.deliver(
                    SendText(incoming.chat_id, reply),
                    reply_to_message_id=None, target_message_id=None,
                ),
                REPLY_TIMEOUT,
            )
        except Exception as exc:
            log.error("direct reply to chat %s failed: %s", incoming.chat_id, exc)

    async def _tell_staff(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        if self._staff_told_at is not None and loop_time - self._staff_told_at < STAFF_NOTICE_EVERY:
            return
        sender = self.outbox.sender
        if sender is None:
            return
        self._staff_told_at = loop_time
        notice = self.texts.bind()("delivery.database_down")
        try:
            await asyncio.wait_for(
                sender.deliver(
                    SendText(self.settings.staff_chat_id, notice),
                    reply_to_message_id=None, target_message_id=None,
                ),
                REPLY_TIMEOUT,
            )
        except Exception as exc:
            log.error("could not tell the staff group the database is down: %s", exc)

    async def _recover(self) -> None:
        loop = asyncio.get_running_loop()
        summary_at = loop.time() + SUMMARY_EVERY
        while self._held or self.down:
            await self._tell_staff_at_start()
            await asyncio.sleep(PROBE_EVERY)
            held = len(self._held)
            if await self.probe() and await self._resumed() and await self._flush_held(
                dispatch=not self._resuming  # a degraded start: the inbox in order below
            ):
                down_for = loop.time() - (self._down_since or loop.time())
                log.warning(
                    "database back after %.0f s: %d held update(s) handled now", down_for, held
                )
                self._down_since = None
                if self._resuming:  # what was held, and what a previous run left, in order
                    self._resuming = False
                    await self.replay()
                return
            if loop.time() >= summary_at:
                summary_at = loop.time() + SUMMARY_EVERY
                log.warning("database still unavailable: %d update(s) held", held)

    async def _tell_staff_at_start(self) -> None:
        """A degraded start: the staff group hears it once the transport is attached
        (a resident's message may tell it earlier)."""
        if self._resume is not None and self._staff_told_at is None and self.outbox.sender:
            await self._tell_staff()

    async def _resumed(self) -> bool:
        """The rest of a degraded start, once; False while it cannot run."""
        if self._resume is None:
            return True
        try:
            await self._resume()
        except Exception as exc:
            now = asyncio.get_running_loop().time()
            if not is_unavailable(exc) and (
                self._resume_failed_at is None or now - self._resume_failed_at >= SUMMARY_EVERY
            ):
                self._resume_failed_at = now
                log.exception("the start could not be finished; trying again")
            return False
        self._resume = None
        self._resuming = True
        return True

    async def probe(self) -> bool:
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                async with self.db.session() as session:
                    await session.execute(text("SELECT 1"))
        except Exception as exc:
            if not is_unavailable(exc):
                log.exception("database probe failed")
            return False
        return True

    async def _flush_held(self, *, dispatch: bool = True) -> bool:
        """Move the held updates into the inbox, then queue them (`dispatch`; else the
        caller queues the inbox); True when all went."""
        stored: list[Incoming] = []
        for key, incoming in list(self._held.items()):
            try:
                fresh = await asyncio.wait_for(self._store(incoming), STORE_TIMEOUT)
            except Exception as exc:
                if is_unavailable(exc):  # all stay held: stored again (no-op) next time
                    return False
                log.exception("held update %s cannot be stored; dropped", key)
                fresh = False
            if fresh:
                stored.append(incoming)
        for incoming in list(self._held.values()):
            self._held.pop(incoming.update_id, None)
        self.down = False
        async with self._spool_lock:
            try:
                self.spool_path.unlink(missing_ok=True)
            except OSError as exc:
                log.error("spool file %s cannot be removed: %s", self.spool_path, exc)
        if dispatch:
            for incoming in stored:
                self._dispatch(incoming)
        return True

    async def _forget(self, key: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(InboxUpdate).where(InboxUpdate.key == key))

    @property
    def recovered(self) -> bool:
        """The database answers and everything held is stored and queued."""
        return not self.down and not self._held and (
            self._recovery is None or self._recovery.done()
        )

    @property
    def held(self) -> list[Incoming]:
        return list(self._held.values())

    def status(self) -> dict[str, Any]:
        return {"down": self.down, "held": len(self._held), "queued": len(self._keys)}
