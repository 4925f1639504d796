"""The outbox: every action the core sends is a row first, then delivered by a `Sender`.

Nothing is lost on a crash or a Telegram error: rows stay pending until sent, failed for
good (4xx), or blocked (403). Order is kept per chat: a row waiting for its retry holds back
the later rows of the same chat, not of other chats.

Button answers (answerCallbackQuery) are not rows: a press must be answered within seconds or
its spinner turns on, so answers wait in memory, leave before any row (between two rows of a
drain, too), on their own worker, and never wait behind a chat's order or its 429 backoff. An
answer lost in a crash is harmless: the query is stale by the time the bot is back.

Urgent rows (`SendText.urgent`: the life-saving line of an emergency) are rows too, stored
like the others, but this process hands them at once to their own worker (a few at a time),
ahead of every other row: in a backlog, or when Telegram throttles, nothing stands in front
of them. Meanwhile the ordinary drain leaves their chats alone, so what follows the line in
its chat (the next question) still comes after it. A row the urgent worker could not send
yet (429, a network error) waits there for its retry time; one that fails otherwise (the
database busy), and any left by a restart, is an ordinary pending row.

A 403 settles the chat's other pending rows too (one report, not one per message), except
for the chats in `must_reach` (the staff group): there a 403 or a 400 "chat not found" is a
set-up problem someone will fix (the bot was removed from the group), so those rows wait and
retry with backoff, and `on_must_reach_failure` hooks tell a human at the first failure of
each row (and when a row fails for good), with what it said. A group that became a
supergroup (`ChatMigrated`) is followed: its pending rows move to the new chat id (an edit of
a message left in the old group is sent anew), and `on_migrated` hooks are told.

Several processes on one PostgreSQL (`instance` given; bot/cluster.py): a drain delivers only
the rows it claimed. A claim takes the oldest pending row of up to `CLAIM_CHATS` chats
(`SELECT … FOR UPDATE SKIP LOCKED`: two processes never take the same chat) with the next
rows of those chats (`CLAIM_PER_CHAT` at most), marked with the process and a lease
(`CLAIM_SECONDS`). A chat's later rows become claimable only when its claimed ones are
settled or released (at the end of each batch; by the leader as soon as the process that
claimed them is gone, else when the lease runs out): per chat order holds across processes. SQLite (one process) reads the pending rows as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import (
    Action,
    AnswerButton,
    EditText,
    MessageTarget,
    SendText,
    action_from_dict,
    action_to_dict,
)
from bot.core.clock import Clock
from bot.core.errors import (
    Blocked,
    ChatMigrated,
    NotModified,
    PermanentError,
    RetryAfter,
    TemporaryError,
)
from bot.core.ports import Sender
from bot.storage.db import Database, is_unavailable
from bot.storage.models import MessageRef, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

BlockedHook = Callable[[str], Awaitable[None]]
SentHook = Callable[[Action, int | None], Awaitable[None]]
MigratedHook = Callable[[str, str], Awaitable[None]]  # (old chat id, new chat id)
FailureHook = Callable[[Action, str], Awaitable[None]]  # (what did not arrive, why)

MIGRATED = "migrated"  # a row moved to the chat's new id (not a stored status)
# 400s that mean the chat cannot be reached at all (not that this message was wrong)
_UNREACHABLE = ("chat not found", "bot was kicked", "not enough rights", "have no rights",
                "group chat was deactivated", "need administrator rights", "not a member")

MAX_ATTEMPTS = 60  # temporary errors, with backoff capped at BACKOFF_CAP: about five hours
BACKOFF_CAP = 300.0
BATCH = 200
CLAIM_CHATS = 50  # chats one claim takes (several processes)
CLAIM_PER_CHAT = 5  # rows of one chat one claim takes
CLAIM_SECONDS = 120.0  # a claim's lease: then a dead process's rows are taken by another

ANSWER_ATTEMPTS = 3  # a button answer that fails this often (temporarily) is given up
ANSWER_MAX_AGE = 60.0  # seconds: later, Telegram says the query is too old anyway
ANSWER_RETRY_CAP = 5.0  # seconds an answer waits out a 429 at most
ANSWERED_REMEMBERED = 10_000  # callback ids remembered as answered
FAILING_LOG_EVERY = 60.0  # seconds between two "database unavailable" lines of the workers
URGENT_AT_ONCE = 32  # urgent rows delivered at the same time (different chats)
URGENT_FIRST = 2.0  # seconds the ordinary lane waits at most for the urgent rows due
URGENT_REMEMBERED = 10_000  # urgent row ids remembered as settled (the drain skips them)


@dataclass
class _PendingAnswer:
    action: AnswerButton
    queued_at: float
    attempts: int = 0
    not_before: float = 0.0


@dataclass
class _Outcome:
    """What came of handing one row to the sender."""

    action: Action
    status: str
    error: str | None
    message_id: int | None
    not_before: datetime | None
    must_reach: bool
    unreachable: bool


def action_is_urgent(action: Action) -> bool:
    return isinstance(action, SendText) and action.urgent


class Outbox:
    def __init__(self, db: Database, clock: Clock, *, instance: str | None = None) -> None:
        self.db = db
        self.clock = clock
        self.instance = instance  # this process's id when several share the database
        self.sender: Sender | None = None
        self.on_blocked: list[BlockedHook] = []
        self.on_migrated: list[MigratedHook] = []
        self.on_must_reach_failure: list[FailureHook] = []
        self.must_reach: set[str] = set()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._answers: deque[_PendingAnswer] = deque()
        self._answers_wake = asyncio.Event()
        self._answers_lock = asyncio.Lock()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._added = 0  # rows queued so far (a drain goes on while hooks queue more)
        # the urgent lane: row ids waiting (with the earliest time to try), their chats, and
        # the ids it settled (a drain's batch in hand may still show them pending)
        self._urgent: deque[tuple[int, datetime | None]] = deque()
        self._urgent_open: dict[int, str] = {}
        self._urgent_done: OrderedDict[int, None] = OrderedDict()
        self._urgent_wake = asyncio.Event()
        self._urgent_lock = asyncio.Lock()
        self._urgent_rows: dict[int, OutboxMessage] = {}  # stored here: delivered from memory
        self._urgent_idle = asyncio.Event()  # no urgent row due now
        self._urgent_idle.set()
        self._urgent_running = False
        self._failing_since: float | None = None  # the database is down: log it once a minute
        self._failing_logged = 0.0

    # -- the Messenger port -------------------------------------------------------------
    async def send(self, action: Action) -> None:
        if isinstance(action, AnswerButton):
            self._queue_answer(action)
            return
        rows: list[OutboxMessage] = []
        try:
            async with self.db.transaction() as session:
                rows.append(self.stage(session, action))
                if action_is_urgent(action):
                    await session.flush()
                    self.hold(rows)
        except BaseException:
            self.unstage(rows)
            raise
        self.staged(rows)

    def stage(self, session: AsyncSession, action: Action) -> OutboxMessage:
        """`action`'s row in the caller's transaction (e.g. with the update it answers).
        The caller flushes, calls `hold` with the rows before the commit, then `staged`
        once committed (`unstage` if it is not)."""
        row = OutboxMessage(
            chat_id=action.chat_id,
            action=action_to_dict(action),
            status=OutboxStatus.PENDING,
            attempts=0,
            created_at=self.clock.now(),
        )
        session.add(row)
        return row

    def hold(self, rows: list[OutboxMessage]) -> None:
        """Flushed, not yet committed: the urgent rows are known to this process before any
        drain can read them, so the ordinary lane leaves them (and their chats) alone."""
        for row in rows:
            if row.id is not None and (row.action or {}).get("urgent"):
                self._urgent_open[row.id] = row.chat_id
                self._urgent_rows[row.id] = row

    def staged(self, rows: list[OutboxMessage]) -> None:
        """The rows are committed: deliver them (the urgent ones on their lane)."""
        for row in rows:
            self._added += 1
            if row.id in self._urgent_open:
                self._urgent.append((row.id, None))
                self._urgent_idle.clear()
                self._urgent_wake.set()
        self._wake.set()

    def unstage(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            if row.id is not None:
                self._urgent_open.pop(row.id, None)
                self._urgent_rows.pop(row.id, None)

    def wake(self) -> None:
        """Deliver now rather than at the worker's next tick (a sender was attached)."""
        self._wake.set()
        self._answers_wake.set()
        self._urgent_wake.set()

    # -- the urgent lane ------------------------------------------------------------------
    @property
    def urgent_waiting(self) -> int:
        return len(self._urgent_open)

    async def flush_urgent(self) -> int:
        """Deliver every urgent row that is due, many at a time; returns how many settled.

        A row this process stored is delivered from memory (no read first), and the rows
        sent in a round are written down together in one transaction, so a burst of
        life-saving lines does not wait for the database between two lines. A crash before
        that write sends the line again at the next start (at least once)."""
        if self.sender is None or not (self._urgent or self._urgent_lock.locked()):
            return 0
        async with self._urgent_lock:  # also: until the worker's round in progress is over
            if not self._urgent:
                return 0
            now = self.clock.now()
            due = [item for item in self._urgent if item[1] is None or item[1] <= now]
            later = [item for item in self._urgent if item[1] is not None and item[1] > now]
            self._urgent.clear()
            self._urgent.extend(later)
            known = {i: self._urgent_rows.pop(i) for i, _ in due if i in self._urgent_rows}
            try:
                rows = list(known.values())
                unknown = [i for i, _ in due if i not in known]
                if unknown:  # tried before (a retry), or another process's claim to check
                    async with self.db.session() as session:
                        rows += (
                            await session.scalars(
                                select(OutboxMessage).where(OutboxMessage.id.in_(unknown))
                            )
                        ).all()
                rows.sort(key=lambda row: row.id)
                if self.instance is not None:  # several processes: only the rows claimed here
                    mine = await self._claim_ids([row.id for row in rows], now)
                    for row in rows:
                        if row.id not in mine:  # another process delivers it, in its chat's order
                            self._urgent_open.pop(row.id, None)  # (not sent: the drain keeps it)
                    rows = [row for row in rows if row.id in mine]
            except Exception:
                self._urgent_rows.update(known)
                self._urgent.extendleft(reversed(due))  # tried again at the next round
                raise
            gate = asyncio.Semaphore(URGENT_AT_ONCE)
            settled = 0
            sent: list[tuple[OutboxMessage, _Outcome]] = []

            async def one(row: OutboxMessage) -> None:
                nonlocal settled
                try:
                    async with gate:
                        outcome = await self._attempt(row)
                    if outcome is not None and self._plain_sent(outcome):
                        sent.append((row, outcome))  # written down with the others below
                        return
                    status = MIGRATED if outcome is None else await self._settle(row, outcome)
                except Exception:  # e.g. the database busy: the ordinary lane takes it over
                    log.exception("urgent row %s handed to the ordinary lane", row.id)
                    self._urgent_open.pop(row.id, None)
                    return
                if status == OutboxStatus.PENDING and row.id in self._urgent_open:
                    self._urgent.append((row.id, await self._urgent_retry_at(row)))
                    return
                settled += 1
                self._urgent_settled(row.id)

            await asyncio.gather(
                *(one(row) for row in rows if row.status == OutboxStatus.PENDING),
                return_exceptions=True,
            )
            try:
                await self._settle_sent(sent)
            except Exception:  # sent, not written down: the ordinary lane sends them again
                log.exception("%d urgent rows sent but not recorded", len(sent))
                for row, _ in sent:
                    self._urgent_open.pop(row.id, None)
            else:
                for row, _ in sent:
                    settled += 1
                    self._urgent_settled(row.id)
            for row in rows:  # settled meanwhile by someone else
                if row.status != OutboxStatus.PENDING:
                    self._urgent_settled(row.id)
            for gone in {i for i, _ in due} - {row.id for row in rows}:
                if gone in self._urgent_open:
                    self._urgent_settled(gone)
            if self.instance is not None and rows:
                await self._release([row.id for row in rows])
            if not any(item[1] is None for item in self._urgent):
                self._urgent_idle.set()
        return settled

    async def urgent_first(self, limit: float) -> None:
        """Until the urgent rows due now are delivered (at most `limit` seconds): the
        intake calls it before handling an update, so that in a burst the handling does
        not take the machine from the life-saving lines. Returns at once when no urgent
        worker runs (`run_urgent`)."""
        if not self._urgent_running or self.sender is None or self._urgent_idle.is_set():
            return
        try:
            await asyncio.wait_for(self._urgent_idle.wait(), limit)
        except TimeoutError:
            pass

    def _urgent_settled(self, row_id: int) -> None:
        self._urgent_open.pop(row_id, None)
        self._urgent_done[row_id] = None
        while len(self._urgent_done) > URGENT_REMEMBERED:
            self._urgent_done.popitem(last=False)

    async def _urgent_retry_at(self, row: OutboxMessage) -> datetime:
        """When the urgent row that could not go yet is tried again (its stored retry time)."""
        async with self.db.session() as session:
            not_before = await session.scalar(
                select(OutboxMessage.not_before).where(OutboxMessage.id == row.id)
            )
        return not_before or self.clock.now() + timedelta(seconds=0.5)

    async def run_urgent(self, stop: asyncio.Event) -> None:
        """The urgent lane's own worker: a life-saving line leaves as soon as it is stored."""
        self._urgent_running = True
        try:
            await self._run_urgent(stop)
        finally:
            self._urgent_running = False
            self._urgent_idle.set()

    async def _run_urgent(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._urgent_wake.clear()
            try:
                await self.flush_urgent()
            except Exception as exc:
                self._log_failure("urgent rows", exc)
            timeout = 0.2 if self._urgent else 5.0
            wake = asyncio.ensure_future(self._urgent_wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({wake, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for fut in (wake, stopped):
                fut.cancel()

    # -- button answers -------------------------------------------------------------------
    def _queue_answer(self, action: AnswerButton) -> None:
        if not action.callback_id or self.answered(action.callback_id):
            return  # a press is answered once (Telegram refuses a second answer)
        self._answered[action.callback_id] = None
        while len(self._answered) > ANSWERED_REMEMBERED:
            self._answered.popitem(last=False)
        self._answers.append(_PendingAnswer(action, time.monotonic()))
        self._answers_wake.set()

    def answered(self, callback_id: str) -> bool:
        """Whether the press `callback_id` has an answer (sent or on its way)."""
        return callback_id in self._answered

    @property
    def answers_waiting(self) -> int:
        return len(self._answers)

    async def flush_answers(self) -> int:
        """Deliver every button answer that is due now; returns how many went."""
        if self.sender is None or not self._answers:
            return 0
        sent = 0
        async with self._answers_lock:
            later: list[_PendingAnswer] = []
            while self._answers:
                pending = self._answers.popleft()
                now = time.monotonic()
                if now - pending.queued_at > ANSWER_MAX_AGE:
                    log.warning("button answer %s given up: too old", pending.action.callback_id)
                    continue
                if pending.not_before > now:
                    later.append(pending)
                    continue
                if await self._answer(pending):
                    sent += 1
                elif pending.attempts < ANSWER_ATTEMPTS:
                    later.append(pending)
            self._answers.extend(later)
        return sent

    async def _answer(self, pending: _PendingAnswer) -> bool:
        """One try; False when it should be tried again (`not_before` set)."""
        assert self.sender is not None
        pending.attempts += 1
        try:
            await self.sender.deliver(
                pending.action, reply_to_message_id=None, target_message_id=None
            )
        except RetryAfter as exc:
            if exc.seconds > ANSWER_RETRY_CAP:
                log.warning("button answer %s given up: flood control for %ss",
                            pending.action.callback_id, exc.seconds)
                pending.attempts = ANSWER_ATTEMPTS
            pending.not_before = time.monotonic() + exc.seconds
            return False
        except TemporaryError as exc:
            pending.not_before = time.monotonic() + 0.5 * pending.attempts
            log.info("button answer %s failed for now: %s", pending.action.callback_id, exc)
            return False
        except Exception as exc:  # stale query, blocked, a bug: nothing more to do
            log.info("button answer %s not delivered: %s", pending.action.callback_id, exc)
            return True
        return True

    async def run_answers(self, stop: asyncio.Event) -> None:
        """The answers' own worker: a press is answered as soon as its handler says so."""
        while not stop.is_set():
            self._answers_wake.clear()
            try:
                await self.flush_answers()
            except Exception:
                log.exception("button answers failed; retrying")
            timeout = 0.2 if self._answers else 5.0
            wake = asyncio.ensure_future(self._answers_wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({wake, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for fut in (wake, stopped):
                fut.cancel()

    # -- message refs ---------------------------------------------------------------------
    async def message_id_of(self, chat_id: str, target: MessageTarget | None) -> int | None:
        if target is None or isinstance(target, int):
            return target
        async with self.db.session() as session:
            found = await session.scalar(
                select(MessageRef.message_id)
                .where(MessageRef.ref == target, MessageRef.chat_id == chat_id)
                .order_by(MessageRef.id.desc())
                .limit(1)
            )
        return int(found) if found is not None else None

    async def ref_of(self, chat_id: str, message_id: int) -> str | None:
        async with self.db.session() as session:
            ref: str | None = await session.scalar(
                select(MessageRef.ref).where(
                    MessageRef.chat_id == chat_id, MessageRef.message_id == message_id
                )
            )
        return ref

    async def remember(self, ref: str, chat_id: str, message_id: int) -> None:
        async with self.db.transaction() as session:
            exists = await session.scalar(
                select(MessageRef.id).where(
                    MessageRef.chat_id == chat_id, MessageRef.message_id == message_id
                )
            )
            if exists is None:
                session.add(
                    MessageRef(
                        ref=ref, chat_id=chat_id, message_id=message_id, created_at=self.clock.now()
                    )
                )

    # -- delivery -------------------------------------------------------------------------
    async def pending_count(self) -> int:
        """Rows still to deliver, and button answers waiting (for a retry)."""
        async with self.db.session() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
            )
            return int(count or 0) + len(self._answers)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Deliver every due pending row once, in order; returns how many were settled.
        With `stop`, returns between two rows once it is set (a clean shutdown)."""
        if self.sender is None:
            return 0
        settled = await self.flush_answers()
        settled += await self.flush_urgent()
        async with self._lock:
            while stop is None or not stop.is_set():
                added = self._added
                progressed = await self._drain_batch(stop)
                settled += progressed
                if progressed == 0 and self._added == added:
                    break
        return settled

    async def _drain_batch(self, stop: asyncio.Event | None = None) -> int:
        now = self.clock.now()
        if self.instance is None:
            async with self.db.session() as session:
                rows = (
                    await session.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.status == OutboxStatus.PENDING)
                        .order_by(OutboxMessage.id)
                        .limit(BATCH)
                    )
                ).all()
            return await self._deliver_rows(list(rows), now, stop)
        rows = await self._claim(now)
        try:
            return await self._deliver_rows(rows, now, stop)
        finally:
            if rows:
                await self._release([row.id for row in rows])

    async def _claim(self, now: datetime) -> list[OutboxMessage]:
        """Several processes: take the heads of up to CLAIM_CHATS chats nobody holds, with
        their next rows; returns the rows claimed, in order."""
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
        heads_of_chats = (
            select(func.min(OutboxMessage.id))
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .group_by(OutboxMessage.chat_id)
        )
        until = now + timedelta(seconds=CLAIM_SECONDS)
        async with self.db.transaction() as session:
            heads = (
                await session.execute(
                    select(OutboxMessage.id, OutboxMessage.chat_id)
                    .where(
                        OutboxMessage.id.in_(heads_of_chats),
                        OutboxMessage.status == OutboxStatus.PENDING,
                        or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
                        free,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(CLAIM_CHATS)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not heads:
                return []
            chats = [chat for _, chat in heads]
            ranked = (
                select(
                    OutboxMessage.id,
                    func.row_number()
                    .over(partition_by=OutboxMessage.chat_id, order_by=OutboxMessage.id)
                    .label("n"),
                )
                .where(OutboxMessage.status == OutboxStatus.PENDING,
                       OutboxMessage.chat_id.in_(chats))
                .subquery()
            )
            claimed = (
                await session.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(
                            select(ranked.c.id).where(ranked.c.n <= CLAIM_PER_CHAT)
                        ),
                        OutboxMessage.status == OutboxStatus.PENDING,
                        or_(free, OutboxMessage.id.in_([head for head, _ in heads])),
                    )
                    .values(claimed_by=self.instance, claimed_until=until)
                    .returning(OutboxMessage.id)
                    .execution_options(synchronize_session=False)
                )
            ).all()
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(claimed))
                    .order_by(OutboxMessage.id)
                )
            ).all()
        return list(rows)

    async def _claim_ids(self, ids: list[int], now: datetime) -> set[int]:
        """Several processes: claim these rows if nobody holds them (the urgent lane);
        returns the ids now this process's."""
        if not ids:
            return set()
        until = now + timedelta(seconds=CLAIM_SECONDS)
        async with self.db.transaction() as session:
            claimed = (
                await session.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(ids),
                        OutboxMessage.status == OutboxStatus.PENDING,
                        or_(OutboxMessage.claimed_until.is_(None),
                            OutboxMessage.claimed_until < now),
                    )
                    .values(claimed_by=self.instance, claimed_until=until)
                    .returning(OutboxMessage.id)
                    .execution_options(synchronize_session=False)
                )
            ).all()
        return set(claimed)

    async def release_dead(self, alive: set[str]) -> int:
        """Several processes (the leader, each round): rows claimed by processes that are
        gone go back at once, not when their lease runs out; returns how many."""
        if self.instance is None:
            return 0
        async with self.db.transaction() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING,
                       OutboxMessage.claimed_by.is_not(None),
                       OutboxMessage.claimed_by.not_in(alive | {self.instance}))
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("%d outbox row(s) of a process that is gone taken back", count)
            self._wake.set()
        return count

    async def _release(self, ids: list[int]) -> None:
        """Give back the rows of `ids` this process claimed and did not settle (a retry
        later, a chat held behind its retry, a stop): any process may take them now."""
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(and_(OutboxMessage.id.in_(ids),
                            OutboxMessage.claimed_by == self.instance,
                            OutboxMessage.status == OutboxStatus.PENDING))
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def _deliver_rows(
        self, rows: list[OutboxMessage], now: datetime, stop: asyncio.Event | None
    ) -> int:
        held: set[str] = set()
        urgent_chats = set(self._urgent_open.values())  # read after the rows: see `send`
        settled = 0
        for row in rows:
            if stop is not None and stop.is_set():
                break
            if self._answers:  # a press was answered meanwhile: it goes first
                settled += await self.flush_answers()
            if row.id in self._urgent_done or row.id in self._urgent_open:
                continue  # the urgent lane's (settled after this batch was read, or to come)
            if row.chat_id in urgent_chats:
                held.add(row.chat_id)  # its life-saving line goes first, on the urgent lane
            if row.chat_id in held:
                continue
            if row.not_before is not None and row.not_before > now:
                held.add(row.chat_id)
                continue
            status = await self._deliver(row)
            if status == MIGRATED:  # the rows in hand name the old chat: read them again
                return settled + 1
            if status != OutboxStatus.PENDING:
                settled += 1
            if status in (OutboxStatus.PENDING, OutboxStatus.BLOCKED):
                held.add(row.chat_id)  # waiting for its retry; or its other rows went with it
        return settled

    async def _deliver(self, row: OutboxMessage) -> str:
        """Try one row; returns its new status (pending: try again later)."""
        outcome = await self._attempt(row)
        if outcome is None:
            return MIGRATED
        return await self._settle(row, outcome)

    async def _attempt(self, row: OutboxMessage) -> _Outcome | None:
        """Hand one row to the sender; what came of it (None: the chat migrated, its rows
        were moved). Nothing is written here but a migration: `_settle` records it."""
        assert self.sender is not None
        action = action_from_dict(row.action)
        status, error, message_id, not_before = OutboxStatus.SENT, None, None, None
        must_reach = action.chat_id in self.must_reach
        unreachable = False  # a must-reach chat refuses the bot (403, "chat not found")
        try:
            reply_to = getattr(action, "reply_to", None)
            reply_to_id = await self.message_id_of(action.chat_id, reply_to)
            target_id = None
            if isinstance(action, EditText):
                target_id = await self.message_id_of(action.chat_id, action.target)
                if target_id is None and must_reach and isinstance(action.target, str):
                    # its message stayed in the group's old chat (a supergroup now): anew
                    action = SendText(action.chat_id, action.text, action.buttons, ref=action.target)
                elif target_id is None:
                    raise PermanentError(f"unknown message to edit: {action.target!r}")
            message_id = await self.sender.deliver(
                action, reply_to_message_id=reply_to_id, target_message_id=target_id
            )
        except NotModified:
            pass
        except ChatMigrated as exc:
            await self._follow_migration(row, action.chat_id, exc.new_chat_id)
            return None
        except RetryAfter as exc:
            status, error = OutboxStatus.PENDING, str(exc)
            not_before = self.clock.now() + timedelta(seconds=exc.seconds)
        except Blocked as exc:
            status, error = OutboxStatus.BLOCKED, str(exc) or "blocked"
            if must_reach:
                log.error("chat %s must be reachable but refuses the bot: %s", action.chat_id, exc)
                unreachable = True
                status = OutboxStatus.PENDING
                not_before = self.clock.now() + timedelta(seconds=self._backoff(row.attempts))
        except TemporaryError as exc:
            status, error = OutboxStatus.PENDING, str(exc) or "temporary error"
            not_before = self.clock.now() + timedelta(seconds=self._backoff(row.attempts))
            if row.attempts + 1 >= MAX_ATTEMPTS:
                status = OutboxStatus.FAILED
        except PermanentError as exc:
            status, error = OutboxStatus.FAILED, str(exc) or "rejected"
            if must_reach and any(words in error.lower() for words in _UNREACHABLE):
                log.error("chat %s must be reachable but is not: %s", action.chat_id, error)
                unreachable = True
                status = OutboxStatus.PENDING
                not_before = self.clock.now() + timedelta(seconds=self._backoff(row.attempts))
        except Exception as exc:  # a bug in a sender must not stop the queue
            log.exception("sender crashed on outbox row %s", row.id)
            status, error = OutboxStatus.FAILED, repr(exc)
        return _Outcome(action, status, error, message_id, not_before, must_reach, unreachable)

    @staticmethod
    def _plain_sent(outcome: _Outcome) -> bool:
        """Sent, and nothing more to do than to write it down (no ref, no hook)."""
        return outcome.status == OutboxStatus.SENT and not getattr(outcome.action, "ref", None)

    async def _settle_sent(self, sent: list[tuple[OutboxMessage, _Outcome]]) -> None:
        """Several rows sent: written down in one transaction (the urgent lane's round)."""
        if not sent:
            return
        now = self.clock.now()
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage),
                [
                    {
                        "id": row.id, "attempts": row.attempts + 1, "status": OutboxStatus.SENT,
                        "last_error": None, "not_before": None,
                        "message_id": outcome.message_id, "sent_at": now,
                    }
                    for row, outcome in sent
                ],
            )

    async def _settle(self, row: OutboxMessage, outcome: _Outcome) -> str:
        """Write down what came of one row, and tell the hooks."""
        action, status, error = outcome.action, outcome.status, outcome.error
        message_id, must_reach = outcome.message_id, outcome.must_reach
        async with self.db.transaction() as session:
            fresh = await session.get(OutboxMessage, row.id)
            if fresh is not None:
                fresh.attempts += 1
                fresh.status = status
                fresh.last_error = error
                fresh.not_before = outcome.not_before
                if status == OutboxStatus.SENT:
                    fresh.message_id = message_id
                    fresh.sent_at = self.clock.now()
        if status == OutboxStatus.SENT and message_id is not None:
            ref = getattr(action, "ref", None)
            if ref:
                await self.remember(ref, action.chat_id, message_id)
        if status == OutboxStatus.BLOCKED and not isinstance(action, AnswerButton):
            await self._settle_blocked_chat(action.chat_id, str(error))
            for hook in self.on_blocked:
                try:
                    await hook(action.chat_id)
                except Exception:
                    log.exception("blocked hook failed for chat %s", action.chat_id)
        if status == OutboxStatus.FAILED:
            log.warning("outbox row %s failed for good: %s", row.id, error)
        if (
            must_reach and not isinstance(action, AnswerButton)
            and ((outcome.unreachable and row.attempts == 0) or status == OutboxStatus.FAILED)
        ):
            for failure_hook in self.on_must_reach_failure:
                try:
                    await failure_hook(action, error or "failed")
                except Exception:
                    log.exception("failure hook failed for chat %s", action.chat_id)
        return status

    async def _follow_migration(self, row: OutboxMessage, old: str, new: str) -> None:
        """The chat `old` is now `new`: its pending rows go there (an edit of a message left
        behind in the old group is then sent as a new message: see `_deliver`)."""
        async with self.db.transaction() as session:
            pending = (
                await session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.chat_id == old, OutboxMessage.status == OutboxStatus.PENDING
                    )
                )
            ).all()
            for item in pending:
                data = dict(item.action)
                data["chat_id"] = new
                item.action = data
                item.chat_id = new
                item.not_before = None
                if item.id == row.id:
                    item.attempts += 1
                    item.last_error = f"chat migrated to {new}"
        if old in self.must_reach:
            self.must_reach.add(new)
        for hook in self.on_migrated:
            try:
                await hook(old, new)
            except Exception:
                log.exception("migration hook failed (%s -> %s)", old, new)
        self._wake.set()

    def _log_failure(self, what: str, exc: Exception) -> None:
        """A database that is down fails every drain (two a second): one line when that
        starts and one a minute after, not a stack trace each time. Anything else: logged."""
        if not is_unavailable(exc):
            log.exception("%s failed; retrying", what)
            return
        now = time.monotonic()
        if self._failing_since is None or now - self._failing_logged >= FAILING_LOG_EVERY:
            log.error("%s: database unavailable (%s); retrying", what, exc.__class__.__name__)
            self._failing_since = self._failing_since or now
            self._failing_logged = now

    @staticmethod
    def _backoff(attempts: int) -> float:
        return min(BACKOFF_CAP, 2.0 ** min(attempts, 10) * 0.5)

    async def _settle_blocked_chat(self, chat_id: str, error: str) -> None:
        """The chat refuses the bot: its other pending messages are not sent either."""
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.BLOCKED, last_error=error)
            )

    async def run(self, stop: asyncio.Event, tick: float = 0.5) -> None:
        """Keep draining until `stop` is set (the transport's background worker)."""
        while not stop.is_set():
            self._wake.clear()
            await self.urgent_first(URGENT_FIRST)  # a burst's life-saving lines go first
            try:
                await self.drain(stop)
                self._failing_since = None
            except Exception as exc:
                self._log_failure("outbox drain", exc)
            wake = asyncio.ensure_future(self._wake.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({wake, stopped}, timeout=tick, return_when=asyncio.FIRST_COMPLETED)
            for fut in (wake, stopped):
                fut.cancel()
