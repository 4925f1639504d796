"""Many residents of one building reporting the same outage, with no notice: one group.

Every uncovered report is recorded (`outage_reports`). When OUTAGE_CLUSTER_THRESHOLD
different residents of one building report the same kind of outage within
OUTAGE_CLUSTER_WINDOW_SECONDS, the reports become a cluster:

- staff get ONE ticket for the building (opened through `app.tickets.open_ticket`, intent
  water_outage / power_outage, severity urgent): its alert lists the reporters and is
  edited as more join;
- the tickets the first reports opened, while nobody has claimed them yet, are merged into
  it: cancelled with a `merged` event pointing to the cluster ticket, their alerts refreshed
  (no buttons left), their residents told; a claimed one is left to its claimer;
- every MANAGER_IDS account is offered to publish a notice from it (button `nt:cl:<id>`,
  the /notice flow pre-filled with the kind and the building);
- later reports join the cluster: the resident hears "we know, N neighbours reported it,
  staff are on it" instead of getting a ticket;
- a reporter still answering the flow's questions when the cluster formed opens a ticket a
  little later: it is merged at the next report, or by the `outage.sweep` job that runs
  every SWEEP_EVERY while reports keep coming (for SWEEP_FOR after the last one).

Work per report is bounded however large the cluster grows (an outage storm): the cluster
row keeps incremental state in `extra` — `listed` (the first report of each of the first
MAX_LISTED reporters, what the alert shows), `pending` (the reports that formed the cluster
and may still open a ticket of their own, the only ones merging looks at) — so a report
costs a constant number of statements. The grouped alert is edited at most once every
ALERT_EVERY (Telegram allows about 20 messages a minute to a group): reports in between are
coalesced by the `outage.alert` job.

A cluster ends when its ticket is finished (resolved, closed, cancelled: new reports then
count afresh) or when a notice covering it is published (the notice answers from then on;
the reporters who are not on the notice's list get the notice too).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update

from bot.core.actions import SendText, keyboard
from bot.core.privacy import mask_phone
from bot.notices.buildings import covers
from bot.notices.render import KIND_INTENT
from bot.storage.models import (
    Notice,
    OutageCluster,
    OutageReport,
    Resident,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from bot.tickets.draft import TicketDraft
from bot.tickets.states import WAITING, Actor

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger, Scheduler, TicketDesk
    from bot.notices.service import NoticeService
    from bot.storage.db import Database
    from bot.texts import Texts

OPEN, CLOSED = "open", "closed"
SEVERITY = "urgent"
MAX_LISTED = 25  # reporters listed in the alert; the rest are counted
MAX_WORDS = 30
TICKET_LOOKBACK = timedelta(minutes=5)  # a report's own ticket opens right after it
SWEEP_EVERY = timedelta(seconds=60)
SWEEP_FOR = timedelta(minutes=30)
ALERT_EVERY = timedelta(seconds=6)  # at most 10 edits a minute of one grouped alert

# several processes: the next drawing of a cluster's alert, on the processes' clocks
_CLAIM_DRAWING = text(
    """
    INSERT INTO rate_limits (key, next_slot) VALUES (:key, :until)
    ON CONFLICT (key) DO UPDATE SET next_slot = :until WHERE rate_limits.next_slot <= :now
    RETURNING next_slot
    """
)
_FORCE_DRAWING = text(
    """
    INSERT INTO rate_limits (key, next_slot) VALUES (:key, :until)
    ON CONFLICT (key) DO UPDATE SET next_slot = :until
    RETURNING next_slot
    """
)
_NEXT_DRAWING = text("SELECT next_slot FROM rate_limits WHERE key = :key")
BOT = Actor("system", None, "bot")


def _same_estate(column: Any, estate_id: int | None) -> Any:
    return column.is_(None) if estate_id is None else column == estate_id


@dataclass(frozen=True, slots=True)
class _Reporter:
    user_id: str
    chat_id: str
    name: str
    at: datetime
    words: str
    ticket_id: int | None  # the reporter's own (merged) ticket, if any


class OutageClusters:
    def __init__(
        self,
        notices: NoticeService,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Messenger,
        scheduler: Scheduler,
        tickets: TicketDesk,
    ) -> None:
        self.notices = notices
        self.settings = settings
        self.clock = clock
        self.db = db
        self.texts = texts
        self.t = texts.bind(settings.locale, "notices")
        self.outbox = outbox
        self.scheduler = scheduler
        self.tickets = tickets
        self._lock = asyncio.Lock()  # one report at a time decides whether a cluster forms
        # Debouncing (this process): when each cluster's alert was last drawn, which clusters
        # have an `outage.alert` / `outage.sweep` job waiting. Lost at a restart: then the
        # next report simply draws the alert at once and schedules the sweep again.
        self._alerted: dict[int, datetime] = {}
        self._alert_waiting: set[int] = set()
        # Several processes (MULTI_PROCESS): the time of the next drawing allowed is shared,
        # a `rate_limits` row per cluster claimed in one statement; what this process
        # knows is only when the job it found waiting is due.
        self.shared = settings.clustered
        self._alert_due: dict[int, datetime] = {}
        self._sweeping: set[int] = set()

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.settings.outage_cluster_window_seconds)

    # -- a report -----------------------------------------------------------------------------
    async def report(
        self,
        *,
        kind: str,
        building: str,
        chat_id: str,
        user_id: str,
        user_name: str,
        text: str,
        locale: str,
        now: datetime,
        estate_id: int | None = None,
    ) -> str | None:
        """Record an uncovered report; the resident's answer if it belongs to a cluster
        (clusters are per building of one estate)."""
        async with self._lock:
            cluster = await self.open_cluster(kind, building, estate_id)
            report = OutageReport(
                estate_id=estate_id,
                kind=kind,
                building=building,
                chat_id=chat_id,
                user_id=user_id,
                user_name=user_name[:200],
                text=text[:2000],
                at=now,
                cluster_key=str(cluster.id) if cluster else None,
            )
            if cluster is not None:
                await self._join(cluster, report, user_name)
            else:
                async with self.db.transaction() as session:
                    session.add(report)
                cluster = await self._maybe_form(
                    kind, building, report, user_name, locale, now, estate_id
                )
                if cluster is None:
                    return None
        return self.texts.bind(locale, "notices")(
            "answer_cluster",
            building=self.notices.render.buildings([building], locale),
            kind=self.notices.render.kind(kind, locale),
            count=cluster.report_count,
        )

    async def open_cluster(
        self, kind: str, building: str, estate_id: int | None = None
    ) -> OutageCluster | None:
        """The building's open cluster for `kind`; one whose ticket is finished is closed."""
        async with self.db.session() as session:
            cluster = await session.scalar(
                select(OutageCluster)
                .where(
                    OutageCluster.kind == kind,
                    OutageCluster.building == building,
                    OutageCluster.status == OPEN,
                    _same_estate(OutageCluster.estate_id, estate_id),
                )
                .order_by(OutageCluster.id.desc())
                .limit(1)
            )
            if cluster is None:
                return None
            ticket = await session.get(Ticket, cluster.ticket_id) if cluster.ticket_id else None
        if ticket is not None and ticket.status in TicketStatus.ACTIVE:
            return cluster
        await self._close(cluster.id, None)
        return None

    async def _join(self, cluster: OutageCluster, report: OutageReport, user_name: str) -> None:
        """One transaction of constant size: the report, the cluster's counters, the ticket's
        timeline; then the stragglers (if any are left) and a debounced alert."""
        async with self.db.transaction() as session:
            seen = await session.scalar(
                select(OutageReport.id)
                .where(
                    OutageReport.cluster_key == str(cluster.id),
                    OutageReport.user_id == report.user_id,
                )
                .limit(1)
            )
            session.add(report)
            extra = dict(cluster.extra or {})
            if seen is None:
                cluster.report_count += 1
                listed = list(extra.get("listed") or [])
                if "listed" in extra and len(listed) < MAX_LISTED:
                    await session.flush()
                    extra["listed"] = [*listed, report.id]
            cluster.last_report_at = report.at
            cluster.extra = extra
            await session.execute(
                update(OutageCluster)
                .where(OutageCluster.id == cluster.id)
                .values(report_count=cluster.report_count, last_report_at=report.at, extra=extra)
                .execution_options(synchronize_session=False)
            )
            if cluster.ticket_id is not None:
                session.add(
                    TicketEvent(
                        ticket_id=cluster.ticket_id,
                        at=self.clock.now(),
                        kind="message_in",
                        actor_kind="resident",
                        actor_id=report.user_id,
                        actor_name=user_name,
                        text=report.text,
                        data={"outage_report": True},
                    )
                )
        await self._merge_stragglers(cluster)
        await self._alert_soon(cluster.id)
        await self._schedule_sweep(cluster.id)

    async def _maybe_form(
        self,
        kind: str,
        building: str,
        trigger: OutageReport,
        user_name: str,
        locale: str,
        now: datetime,
        estate_id: int | None = None,
    ) -> OutageCluster | None:
        async with self.db.session() as session:
            reports = (
                await session.scalars(
                    select(OutageReport)
                    .where(
                        OutageReport.kind == kind,
                        OutageReport.building == building,
                        _same_estate(OutageReport.estate_id, estate_id),
                        OutageReport.at >= now - self.window,
                        OutageReport.cluster_key.is_(None),
                        OutageReport.notice_id.is_(None),
                    )
                    .order_by(OutageReport.at, OutageReport.id)
                )
            ).all()
        reporters = {r.user_id for r in reports}
        if len(reporters) < self.settings.outage_cluster_threshold:
            return None
        first: dict[str, int] = {}
        for r in reports:
            first.setdefault(r.user_id, r.id)
        async with self.db.transaction() as session:
            cluster = OutageCluster(
                estate_id=estate_id,
                kind=kind,
                building=building,
                status=OPEN,
                report_count=len(reporters),
                extra={
                    "merged": [],
                    "listed": list(first.values())[:MAX_LISTED],
                    # the trigger's resident is answered "we know": no ticket of theirs to merge
                    "pending": [r.id for r in reports if r.id != trigger.id],
                },
                opened_at=reports[0].at,
                last_report_at=now,
            )
            session.add(cluster)
            await session.flush()
            await session.execute(
                update(OutageReport)
                .where(OutageReport.id.in_([r.id for r in reports]))
                .values(cluster_key=str(cluster.id))
                .execution_options(synchronize_session=False)
            )
        profile = await self._profile(trigger.user_id)
        ticket = await self.tickets.open_ticket(
            TicketDraft(
                chat_id=trigger.chat_id,
                user_id=trigger.user_id,
                user_name=user_name,
                intent=KIND_INTENT[kind],
                severity=SEVERITY,
                description=await self.description(cluster),
                building=building,
                room=profile.room if profile else None,
                phone=profile.phone if profile else None,
                resident_id=profile.id if profile else None,
                estate_id=estate_id,
                locale=locale,
                extra={"outage_cluster": cluster.id},
            )
        )
        cluster.ticket_id = ticket.id
        async with self.db.transaction() as session:
            await session.execute(
                update(OutageCluster)
                .where(OutageCluster.id == cluster.id)
                .values(ticket_id=ticket.id)
                .execution_options(synchronize_session=False)
            )
        self._alerted[cluster.id] = self.clock.now()  # the alert was just posted
        if self.shared:
            await self._claim_drawing(cluster.id, force=True)
        if await self._merge_stragglers(cluster):
            await self.refresh_alert(cluster.id)
        await self._offer_managers(cluster)
        await self._schedule_sweep(cluster.id)
        return cluster

    async def _schedule_sweep(self, cluster_id: int) -> None:
        if cluster_id in self._sweeping:
            return  # one is waiting; it reschedules itself while reports keep coming
        await self.scheduler.schedule(
            "outage.sweep",
            self.clock.now() + SWEEP_EVERY,
            {"cluster_id": cluster_id},
            f"outage:{cluster_id}:sweep",
        )
        self._sweeping.add(cluster_id)

    async def job_sweep(self, payload: dict[str, object]) -> None:
        cluster_id = int(str(payload["cluster_id"]))
        self._sweeping.discard(cluster_id)
        cluster = await self.get(cluster_id)
        if cluster is None or cluster.status != OPEN:
            return
        if await self._merge_stragglers(cluster):
            await self._alert_soon(cluster.id)
        if self.clock.now() - cluster.last_report_at < SWEEP_FOR:
            await self._schedule_sweep(cluster.id)

    async def _claim_drawing(self, cluster_id: int, *, force: bool = False) -> datetime | None:
        """Several processes: None when this process may draw the alert now (the next
        drawing is then ALERT_EVERY away for every process), else when it may be drawn."""
        now = self.clock.now()
        params = {
            "key": f"outage-alert:{cluster_id}", "now": now.timestamp(),
            "until": (now + ALERT_EVERY).timestamp(),
        }
        async with self.db.transaction() as session:
            claimed = await session.scalar(_FORCE_DRAWING if force else _CLAIM_DRAWING, params)
            if claimed is not None:
                return None
            due = await session.scalar(_NEXT_DRAWING, params)
        if due is None:
            return None
        return datetime.fromtimestamp(float(due), tz=now.tzinfo or UTC)

    async def _alert_soon_shared(self, cluster_id: int) -> None:
        waiting = self._alert_due.get(cluster_id)
        if waiting is not None and self.clock.now() < waiting:
            return  # a job draws it then (whichever process scheduled it)
        due = await self._claim_drawing(cluster_id)
        if due is None:
            await self.refresh_alert(cluster_id)
            return
        await self._schedule_alert(cluster_id, due)

    async def _schedule_alert(self, cluster_id: int, due: datetime) -> None:
        await self.scheduler.schedule(
            "outage.alert", due, {"cluster_id": cluster_id}, f"outage:{cluster_id}:alert"
        )  # the same job id for every process: one job in the shared store
        self._alert_due[cluster_id] = due

    async def _alert_soon(self, cluster_id: int) -> None:
        """Redraw the grouped alert now if it was last drawn ALERT_EVERY ago, else once when
        that time has passed (the `outage.alert` job): whatever arrives in between is in it."""
        if self.shared:
            await self._alert_soon_shared(cluster_id)
            return
        if cluster_id in self._alert_waiting:
            return  # the job draws it, at the latest ALERT_EVERY after the last drawing
        last = self._alerted.get(cluster_id)
        if last is None or self.clock.now() - last >= ALERT_EVERY:
            await self.job_alert({"cluster_id": cluster_id})
            return
        await self.scheduler.schedule(
            "outage.alert",
            last + ALERT_EVERY,
            {"cluster_id": cluster_id},
            f"outage:{cluster_id}:alert",
        )
        self._alert_waiting.add(cluster_id)

    async def job_alert(self, payload: dict[str, object]) -> None:
        cluster_id = int(str(payload["cluster_id"]))
        if self.shared:
            self._alert_due.pop(cluster_id, None)
            due = await self._claim_drawing(cluster_id)
            if due is not None:  # drawn meanwhile by another process: again when allowed
                await self._schedule_alert(cluster_id, due)
                return
            await self.refresh_alert(cluster_id)
            return
        self._alert_waiting.discard(cluster_id)
        self._alerted[cluster_id] = self.clock.now()
        await self.refresh_alert(cluster_id)

    # -- merging the first reports' own tickets -------------------------------------------------
    async def _merge_stragglers(self, cluster: OutageCluster) -> list[int]:
        """Merge into the cluster ticket every unclaimed ticket its first reports opened.

        Only the reports that formed the cluster (`extra["pending"]`) can have opened one
        (later reporters are answered "we know" instead): two statements, however many
        reports joined since; a report whose ticket was merged leaves the list."""
        if cluster.ticket_id is None:
            return []
        extra = cluster.extra or {}
        pending = extra.get("pending")
        if pending is not None and not pending:
            return []
        intent = KIND_INTENT[cluster.kind]
        async with self.db.session() as session:
            query = select(OutageReport).where(
                OutageReport.cluster_key == str(cluster.id), OutageReport.ticket_id.is_(None)
            )
            if pending is not None:
                query = query.where(OutageReport.id.in_([int(i) for i in pending]))
            reports = (await session.scalars(query)).all()
            if not reports:
                return []
            candidates = (
                await session.scalars(
                    select(Ticket)
                    .where(
                        Ticket.chat_id.in_({r.chat_id for r in reports}),
                        Ticket.intent == intent,
                        Ticket.status.in_(WAITING),
                        Ticket.id != cluster.ticket_id,
                        Ticket.created_at >= min(r.at for r in reports) - TICKET_LOOKBACK,
                    )
                    .order_by(Ticket.id)
                )
            ).all()
        found: dict[int, tuple[Ticket, list[int]]] = {}
        for report in reports:
            ticket = next(
                (
                    t
                    for t in candidates
                    if t.chat_id == report.chat_id and t.created_at >= report.at - TICKET_LOOKBACK
                ),
                None,
            )
            if ticket is not None:
                found.setdefault(ticket.id, (ticket, []))[1].append(report.id)
        merged: list[int] = []
        for ticket_id, (ticket, report_ids) in sorted(found.items()):
            done = await self.tickets.transition(
                ticket_id,
                allowed=WAITING,
                to=TicketStatus.CANCELLED,
                event="merged",
                actor=BOT,
                data={"into": cluster.ticket_id, "outage_cluster": cluster.id},
            )
            if done is None:
                continue
            merged.append(ticket_id)
            await self.tickets.refresh_alert(done)
            locale = str((ticket.extra or {}).get("locale") or self.settings.locale)
            await self.outbox.send(
                SendText(
                    ticket.chat_id,
                    self.texts.bind(locale, "notices")(
                        "merged",
                        kind=self.notices.render.kind(cluster.kind, locale),
                        old=ticket_id,
                        new=cluster.ticket_id,
                    ),
                )
            )
            async with self.db.transaction() as session:
                await session.execute(
                    update(OutageReport)
                    .where(OutageReport.id.in_(report_ids))
                    .values(ticket_id=ticket_id)
                    .execution_options(synchronize_session=False)
                )
        if merged:
            done_reports = {i for _, ids in found.values() for i in ids}
            async with self.db.transaction() as session:
                fresh = await session.get(OutageCluster, cluster.id)
                if fresh is not None:
                    fresh_extra = dict(fresh.extra or {})
                    fresh_extra["merged"] = [*fresh_extra.get("merged", []), *merged]
                    if "pending" in fresh_extra:
                        fresh_extra["pending"] = [
                            i for i in fresh_extra["pending"] if int(i) not in done_reports
                        ]
                    fresh.extra = fresh_extra
                    cluster.extra = fresh_extra
        return merged

    # -- the staff alert ----------------------------------------------------------------------
    async def reporters(self, cluster_id: int) -> list[_Reporter]:
        """Each resident once, at their first report, oldest first."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutageReport)
                    .where(OutageReport.cluster_key == str(cluster_id))
                    .order_by(OutageReport.at, OutageReport.id)
                )
            ).all()
        seen: dict[str, _Reporter] = {}
        for report in rows:
            first = seen.get(report.user_id)
            if first is None:
                seen[report.user_id] = _Reporter(
                    report.user_id,
                    report.chat_id,
                    report.user_name,
                    report.at,
                    report.text,
                    report.ticket_id,
                )
            elif first.ticket_id is None and report.ticket_id is not None:
                seen[report.user_id] = replace(first, ticket_id=report.ticket_id)
        return list(seen.values())

    async def listed(self, cluster: OutageCluster) -> list[_Reporter]:
        """The reporters the alert lists (at most MAX_LISTED): read by id from the cluster's
        `listed` state, so drawing the alert does not re-read a storm's every report."""
        ids = (cluster.extra or {}).get("listed")
        if ids is None:  # a cluster formed before the state was kept
            return (await self.reporters(cluster.id))[:MAX_LISTED]
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutageReport)
                    .where(OutageReport.id.in_([int(i) for i in ids]))
                    .order_by(OutageReport.at, OutageReport.id)
                )
            ).all()
        return [
            _Reporter(r.user_id, r.chat_id, r.user_name, r.at, r.text, r.ticket_id) for r in rows
        ]

    async def description(self, cluster: OutageCluster) -> str:
        """The cluster ticket's text: what, how many, merged tickets, who (plain text)."""
        locale = self.settings.locale
        render = self.notices.render
        reporters = await self.listed(cluster)
        count = max(cluster.report_count, len(reporters))
        profiles = await self._profiles([r.user_id for r in reporters])
        lines = [
            self.t(
                "cluster_head",
                building=render.buildings([cluster.building], locale),
                kind=render.kind(cluster.kind, locale),
                count=count,
                minutes=round(self.window.total_seconds() / 60),
            )
        ]
        merged = (cluster.extra or {}).get("merged") or []
        if merged:
            lines.append(self.t("cluster_merged", tickets=" ".join(f"#{n}" for n in merged)))
        own_tickets = await self._tickets([r.ticket_id for r in reporters if r.ticket_id])
        for reporter in reporters[:MAX_LISTED]:
            profile = profiles.get(reporter.user_id)
            ticket = own_tickets.get(reporter.ticket_id or 0)
            words = reporter.words.strip().replace("\n", " ")
            who = [
                f"{render.local(reporter.at):%H:%M}",
                reporter.name or (profile.name if profile else "") or "-",
                (ticket.room if ticket else None) or (profile.room if profile else None) or "",
                mask_phone(phone)  # a list in the group: masked (each reporter's own ticket has it)
                if (phone := (ticket.phone if ticket else None) or (profile.phone if profile else None))
                else "",
            ]
            lines.append(
                self.t(
                    "cluster_reporter",
                    who=" ".join(part for part in who if part),
                    words=words if len(words) <= MAX_WORDS else words[: MAX_WORDS - 1] + "…",
                )
            )
        if count > len(reporters[:MAX_LISTED]):
            lines.append(self.t("cluster_more", count=count - len(reporters[:MAX_LISTED])))
        if cluster.notice_id:
            lines.append(self.t("cluster_notice", notice=cluster.notice_id))
        # a ticket's description is plain text (the alert escapes it): unescape our texts
        return "\n".join(html.unescape(line) for line in lines)

    async def refresh_alert(self, cluster_id: int) -> None:
        async with self.db.session() as session:
            cluster = await session.get(OutageCluster, cluster_id)
        if cluster is None or cluster.ticket_id is None:
            return
        description = await self.description(cluster)
        await self.tickets.set_values(cluster.ticket_id, description=description)
        ticket = await self.tickets.get(cluster.ticket_id)
        if ticket is not None:
            await self.tickets.refresh_alert(ticket)

    async def _offer_managers(self, cluster: OutageCluster) -> None:
        locale = self.settings.locale
        render = self.notices.render
        kind = render.kind(cluster.kind, locale)
        m = self.texts.bind(locale, "manager")
        text = m(
            "cluster_offer",
            building=render.buildings([cluster.building], locale),
            minutes=round(self.window.total_seconds() / 60),
            count=cluster.report_count,
            kind=kind,
            ticket=cluster.ticket_id or "-",
        )
        button = m("btn.publish_cluster", kind=kind)
        estate = self.notices.estates.get(cluster.estate_id)
        managers = (  # the estate's own managers, else the company's
            sorted(estate.manager_ids)
            if estate is not None and estate.manager_ids
            else self.settings.manager_ids
        )
        for manager in managers:
            await self.outbox.send(
                SendText(
                    manager,
                    text,
                    keyboard([(button, f"nt:cl:{cluster.id}")]),
                    ref=f"outage:{cluster.id}:offer",
                )
            )

    # -- ending ---------------------------------------------------------------------------------
    async def get(self, cluster_id: int) -> OutageCluster | None:
        async with self.db.session() as session:
            return await session.get(OutageCluster, cluster_id)

    async def close_for_notice(self, notice: Notice) -> list[str]:
        """A notice now covers these clusters: close them; the reporters' chats to tell."""
        async with self.db.session() as session:
            clusters = (
                await session.scalars(
                    select(OutageCluster).where(
                        OutageCluster.kind == notice.kind,
                        OutageCluster.status == OPEN,
                        _same_estate(OutageCluster.estate_id, notice.estate_id),
                    )
                )
            ).all()
        chats: list[str] = []
        for cluster in clusters:
            if not covers(list(notice.buildings or []), cluster.building):
                continue
            await self._close(cluster.id, notice.id)
            await self.refresh_alert(cluster.id)
            chats.extend(r.chat_id for r in await self.reporters(cluster.id))
        return list(dict.fromkeys(chats))

    async def _close(self, cluster_id: int, notice_id: int | None) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(OutageCluster)
                .where(OutageCluster.id == cluster_id)
                .values(status=CLOSED, notice_id=notice_id, closed_at=self.clock.now())
                .execution_options(synchronize_session=False)
            )

    # -- who the reporters are ----------------------------------------------------------------------
    async def _tickets(self, ids: Sequence[int | None]) -> dict[int, Ticket]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        async with self.db.session() as session:
            rows = await session.scalars(select(Ticket).where(Ticket.id.in_(wanted)))
            return {t.id: t for t in rows.all()}

    async def _profile(self, user_id: str) -> Resident | None:
        return (await self._profiles([user_id])).get(user_id)

    async def _profiles(self, user_ids: Sequence[str]) -> dict[str, Resident]:
        if not user_ids:
            return {}
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Resident).where(Resident.user_id.in_(list(user_ids)))
            )
            return {r.user_id: r for r in rows.all()}
