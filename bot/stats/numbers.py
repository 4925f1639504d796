"""The numbers behind /stats, computed from tickets and notice deliveries.

Periods are in the estate's time zone: today, this week (from Monday), the last 14 days
(the chart) and the last 30 days (medians, satisfaction, notice delivery). Tickets merged
into an outage cluster (cancelled) are not counted: they are the same request.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.storage.models import Notice, Ticket, TicketStatus

if TYPE_CHECKING:
    from collections.abc import Collection

    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.notices.broadcast import RunCounts
    from bot.notices.service import NoticeService
    from bot.storage.db import Database

SEVERITIES = ("emergency", "urgent", "normal")
CHART_DAYS = 14
RECENT_DAYS = 30
RESOLVE_TARGET_SECONDS = 24 * 3600  # procedures.md: general requests handled within 24 hours
SATISFIED_FROM = 4  # a rating of 4 or 5 out of 5 counts as satisfied
SATISFACTION_TARGET = 0.85  # procedures.md
DELIVERY_TARGET = 0.90  # procedures.md
CLAIMED = (TicketStatus.CLAIMED, TicketStatus.ON_SITE)
RESOLVED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class TicketFigures:
    """Medians and shares computed from a period's raw figures (`claim_seconds` by severity,
    `resolve_seconds`, `ratings`); shared by /stats and the dashboard."""

    claim_seconds: dict[str, list[float]]
    resolve_seconds: list[float]
    ratings: list[int]

    def claim_median(self, severity: str) -> float | None:
        values = self.claim_seconds.get(severity) or []
        return statistics.median(values) if values else None

    @property
    def resolve_median(self) -> float | None:
        return statistics.median(self.resolve_seconds) if self.resolve_seconds else None

    @property
    def rating_average(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None

    @property
    def satisfied_share(self) -> float | None:
        if not self.ratings:
            return None
        return sum(1 for r in self.ratings if r >= SATISFIED_FROM) / len(self.ratings)


@dataclass
class Stats(TicketFigures):
    now: datetime  # local
    today: int = 0
    week: int = 0
    week_by_intent: Counter[str] = field(default_factory=Counter)
    week_by_severity: Counter[str] = field(default_factory=Counter)
    open: int = 0  # waiting to be claimed (open or reopened), any age
    claimed: int = 0  # claimed or on site, any age
    resolved_week: int = 0
    week_close_reasons: Counter[str] = field(default_factory=Counter)  # closed this week, why
    claim_seconds: dict[str, list[float]] = field(default_factory=dict)  # by severity, 30 days
    resolve_seconds: list[float] = field(default_factory=list)  # 30 days
    ratings: list[int] = field(default_factory=list)  # 30 days
    daily: list[tuple[date, Counter[str]]] = field(default_factory=list)  # chart, by severity
    notices: list[tuple[Notice, RunCounts]] = field(default_factory=list)  # 30 days


def claim_deadline(settings: Settings, severity: str) -> float:
    return {
        "emergency": settings.sla_claim_seconds_emergency,
        "urgent": settings.sla_claim_seconds_urgent,
    }.get(severity, settings.sla_claim_seconds_normal)


def in_estates(column: Any, estates: Collection[int] | None) -> list[Any]:
    """The condition keeping rows of these estates (None: every estate)."""
    return [] if estates is None else [column.in_(list(estates))]


async def collect(
    settings: Settings,
    clock: Clock,
    db: Database,
    notice_service: NoticeService,
    estates: Collection[int] | None = None,
) -> Stats:
    """The figures of these estates' tickets and notices (None: the whole company)."""
    tz = ZoneInfo(settings.timezone)
    now = clock.now().astimezone(tz)
    today = now.date()
    week_start = today - timedelta(days=today.weekday())
    chart_start = today - timedelta(days=CHART_DAYS - 1)
    recent_start = today - timedelta(days=RECENT_DAYS - 1)
    since = datetime.combine(min(week_start, chart_start, recent_start), time(), tzinfo=tz)
    stats = Stats(now=now)
    async with db.session() as session:
        tickets = (
            await session.scalars(
                select(Ticket).where(
                    Ticket.created_at >= since,
                    Ticket.status != TicketStatus.CANCELLED,
                    *in_estates(Ticket.estate_id, estates),
                )
            )
        ).all()
        by_status = dict(
            (
                await session.execute(
                    select(Ticket.status, func.count())
                    .where(
                        Ticket.status.in_(TicketStatus.ACTIVE),
                        *in_estates(Ticket.estate_id, estates),
                    )
                    .group_by(Ticket.status)
                )
            ).all()
        )
        reasons = (
            await session.execute(
                select(Ticket.close_reason, func.count())
                .where(
                    Ticket.created_at >= datetime.combine(week_start, time(), tzinfo=tz),
                    Ticket.close_reason.is_not(None),
                    Ticket.status.in_((TicketStatus.CLOSED, TicketStatus.CANCELLED)),
                    *in_estates(Ticket.estate_id, estates),
                )
                .group_by(Ticket.close_reason)
            )
        ).all()
        notices = (
            await session.scalars(
                select(Notice)
                .where(
                    Notice.created_at >= datetime.combine(recent_start, time(), tzinfo=tz),
                    *in_estates(Notice.estate_id, estates),
                )
                .order_by(Notice.id)
            )
        ).all()
    stats.week_close_reasons = Counter({str(r): int(n) for r, n in reasons})
    stats.open = sum(int(n) for s, n in by_status.items() if s not in CLAIMED)
    stats.claimed = sum(int(n) for s, n in by_status.items() if s in CLAIMED)
    daily: dict[date, Counter[str]] = {
        chart_start + timedelta(days=i): Counter() for i in range(CHART_DAYS)
    }
    for ticket in tickets:
        day = ticket.created_at.astimezone(tz).date()
        if day == today:
            stats.today += 1
        if day >= week_start:
            stats.week += 1
            stats.week_by_intent[ticket.intent] += 1
            stats.week_by_severity[ticket.severity] += 1
            if ticket.status in RESOLVED:
                stats.resolved_week += 1
        if day in daily:
            daily[day][ticket.severity] += 1
        if day < recent_start:
            continue
        if ticket.claimed_at is not None:
            seconds = (ticket.claimed_at - ticket.created_at).total_seconds()
            stats.claim_seconds.setdefault(ticket.severity, []).append(max(0.0, seconds))
        if ticket.resolved_at is not None:
            stats.resolve_seconds.append(
                max(0.0, (ticket.resolved_at - ticket.created_at).total_seconds())
            )
        if ticket.rating is not None:
            stats.ratings.append(int(ticket.rating))
    stats.daily = sorted(daily.items())
    for notice in notices:
        stats.notices.append((notice, await notice_service.counts(notice.id, "notice")))
    return stats
