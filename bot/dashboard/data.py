"""What the dashboard shows, read from the database models (never written here).

- `board()`: every ticket still being worked on, by severity, with the deadline it is
  running against: claiming (open or reopened, by severity), being on site (a claimed
  emergency, ONSITE_REMINDER_SECONDS) or resolving (24 hours); its team, and its handling
  deadline (`due_at`, in working hours; overdue past it, as the staff group's ⏰).
- `ticket(id)`: one ticket and its timeline.
- `buildings()`: open tickets per building, and the current notices with their delivery.
- `period(start, end)`: the numbers for a date range (estate time zone, both ends included):
  volumes by day, severity, intent and building, time to claim and to resolve against
  their deadlines, satisfaction, notice reach.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.stats.numbers import (
    DELIVERY_TARGET,
    RESOLVE_TARGET_SECONDS,
    SATISFACTION_TARGET,
    SEVERITIES,
    TicketFigures,
    claim_deadline,
)
from bot.storage.models import Notice, Ticket, TicketEvent, TicketStatus

if TYPE_CHECKING:
    from bot.dashboard.auth import Viewer
    from bot.dashboard.deps import DashboardDeps
    from bot.notices.broadcast import RunCounts

WAITING = (TicketStatus.OPEN, TicketStatus.REOPENED)
DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
__all__ = ["DELIVERY_TARGET", "RESOLVE_TARGET_SECONDS", "SATISFACTION_TARGET", "SEVERITIES"]


def plain(text: str) -> str:
    """A locale text (Telegram HTML without tags for these labels) as plain text."""
    return html.unescape(text)


@dataclass
class Deadline:
    kind: str  # claim, onsite, resolve
    at: datetime


@dataclass
class Period(TicketFigures):
    start: date
    end: date
    tickets: int = 0
    by_day: list[tuple[date, Counter[str]]] = field(default_factory=list)  # by severity
    by_severity: Counter[str] = field(default_factory=Counter)
    by_intent: Counter[str] = field(default_factory=Counter)
    by_building: Counter[str] = field(default_factory=Counter)
    resolved: int = 0
    claim_seconds: dict[str, list[float]] = field(default_factory=dict)
    resolve_seconds: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    notices: list[tuple[Notice, RunCounts]] = field(default_factory=list)


class DashboardData:
    def __init__(self, app: DashboardDeps) -> None:
        self.app = app
        self.tz = ZoneInfo(app.settings.timezone)

    # -- deadlines --------------------------------------------------------------------------
    def deadline(self, ticket: Ticket) -> Deadline:
        settings = self.app.settings
        if ticket.status in WAITING:
            since = (
                ticket.updated_at if ticket.status == TicketStatus.REOPENED else ticket.created_at
            )
            return Deadline(
                "claim", since + timedelta(seconds=claim_deadline(self.app.settings, ticket.severity))
            )
        if (
            ticket.severity == "emergency"
            and ticket.status == TicketStatus.CLAIMED
            and ticket.claimed_at is not None
        ):
            return Deadline(
                "onsite", ticket.claimed_at + timedelta(seconds=settings.onsite_reminder_seconds)
            )
        return Deadline("resolve", ticket.created_at + timedelta(seconds=RESOLVE_TARGET_SECONDS))

    # -- the board --------------------------------------------------------------------------
    def scope(self, viewer: Viewer | None) -> frozenset[int] | None:
        """The estates a viewer sees: an estate's manager (`manager_ids` in ESTATES_FILE)
        that estate only; everyone else every estate (None)."""
        if viewer is None or not viewer.is_manager:
            return None
        return self.app.tickets.estates.manager_scope(viewer.user_id, self.app.settings.manager_ids)

    def visible(self, ticket: Ticket, viewer: Viewer | None) -> bool:
        """Staff who are members of teams (TEAMS_FILE `members`) see their teams' tickets and
        those they hold; supervisors, managers and staff of no team see every ticket; an
        estate's manager sees that estate's."""
        scope = self.scope(viewer)
        if scope is not None and ticket.estate_id not in scope:
            return False
        if viewer is None or viewer.sees_stats:
            return True
        teams = self.app.tickets.estates.teams_of(viewer.user_id)
        return not teams or ticket.team in teams or ticket.claimed_by == viewer.user_id

    async def open_tickets(self, viewer: Viewer | None = None) -> Sequence[Ticket]:
        tickets = await self.app.tickets.active_tickets()
        return [t for t in tickets if self.visible(t, viewer)]

    def label(self, key: str, locale: str) -> str:
        return self.app.texts.bind(locale, "dashboard").plain(key)

    def place(self, ticket: Ticket, locale: str) -> str:
        return plain(self.app.tickets.fmt.place_or_unknown(ticket, locale))

    def intent(self, intent: str, locale: str) -> str:
        return plain(self.app.tickets.fmt.intent(intent, locale))

    def local(self, when: datetime | None) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if when else ""

    def team(self, ticket: Ticket) -> str:
        """The ticket's team's name (its key when the teams file no longer has it)."""
        if not ticket.team:
            return ""
        team = self.app.tickets.teams_for(ticket.estate_id).get(ticket.team)
        return team.name if team is not None else ticket.team

    def overdue(self, ticket: Ticket) -> bool:
        """Past its handling deadline and still being worked on (the alert's ⏰)."""
        return (
            ticket.due_at is not None
            and ticket.status in TicketStatus.ACTIVE
            and ticket.due_at <= self.app.clock.now()
        )

    def ticket_json(self, ticket: Ticket, locale: str) -> dict[str, Any]:
        deadline = self.deadline(ticket)
        return {
            "id": ticket.id,
            "severity": ticket.severity,
            "severity_name": self.label(f"severity.{ticket.severity}", locale),
            "intent": self.intent(ticket.intent, locale),
            "status": ticket.status,
            "status_name": self.label(f"state.{ticket.status}", locale),
            "building": ticket.building or "",
            "place": self.place(ticket, locale),
            "words": ticket.description,
            "claimer": ticket.claimed_by_name or ticket.claimed_by or "",
            "created": self.local(ticket.created_at),
            "created_ts": ticket.created_at.timestamp(),
            "deadline_kind": deadline.kind,
            "deadline_name": self.label(f"deadline.{deadline.kind}", locale),
            "deadline_ts": deadline.at.timestamp(),
            "team": self.team(ticket),
            "due": self.local(ticket.due_at),
            "due_ts": ticket.due_at.timestamp() if ticket.due_at else None,
            "overdue": self.overdue(ticket),
        }

    async def board(self, locale: str, viewer: Viewer | None = None) -> dict[str, Any]:
        tickets = await self.open_tickets(viewer)
        order = {severity: i for i, severity in enumerate(SEVERITIES)}
        ranked = sorted(
            tickets, key=lambda t: (order.get(t.severity, 9), self.deadline(t).at, t.id)
        )
        return {
            "now": self.app.clock.now().timestamp(),
            "tickets": [self.ticket_json(t, locale) for t in ranked],
            "counts": dict(Counter(t.severity for t in tickets)),
        }

    # -- one ticket ---------------------------------------------------------------------------
    async def ticket(self, ticket_id: int) -> tuple[Ticket, Sequence[TicketEvent]] | None:
        ticket = await self.app.tickets.get(ticket_id)
        if ticket is None:
            return None
        return ticket, await self.app.tickets.events(ticket_id)

    # -- buildings and notices ------------------------------------------------------------------
    async def buildings(
        self, viewer: Viewer | None = None
    ) -> tuple[dict[str, Counter[str]], list[tuple[Notice, RunCounts]]]:
        """({building: open tickets by severity}, [(current notice, its delivery)])."""
        per_building: dict[str, Counter[str]] = {}
        for ticket in await self.open_tickets(viewer):
            per_building.setdefault(ticket.building or "-", Counter())[ticket.severity] += 1
        scope = self.scope(viewer)
        notices = [
            (notice, await self.app.notices.counts(notice.id, "notice"))
            for notice in await self.app.notices.current()
            if scope is None or notice.estate_id in scope
        ]
        return per_building, notices

    # -- a period ---------------------------------------------------------------------------
    def bounds(self, start: date, end: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(start, time(), tzinfo=self.tz),
            datetime.combine(end + timedelta(days=1), time(), tzinfo=self.tz),
        )

    def today(self) -> date:
        return self.app.clock.now().astimezone(self.tz).date()

    async def period(
        self, start: date, end: date, scope: frozenset[int] | None = None
    ) -> Period:
        """The figures of a period (of the estates in `scope`; None: all)."""
        since, until = self.bounds(start, end)
        only_tickets = [] if scope is None else [Ticket.estate_id.in_(list(scope))]
        only_notices = [] if scope is None else [Notice.estate_id.in_(list(scope))]
        async with self.app.db.session() as session:
            tickets = (
                await session.scalars(
                    select(Ticket).where(
                        Ticket.created_at >= since,
                        Ticket.created_at < until,
                        Ticket.status != TicketStatus.CANCELLED,  # merged into a cluster
                        *only_tickets,
                    )
                )
            ).all()
            notices = (
                await session.scalars(
                    select(Notice)
                    .where(Notice.created_at >= since, Notice.created_at < until, *only_notices)
                    .order_by(Notice.id)
                )
            ).all()
        result = Period(start=start, end=end)
        days = (end - start).days + 1
        by_day: dict[date, Counter[str]] = {
            start + timedelta(days=i): Counter() for i in range(days)
        }
        for ticket in tickets:
            result.tickets += 1
            day = ticket.created_at.astimezone(self.tz).date()
            by_day.setdefault(day, Counter())[ticket.severity] += 1
            result.by_severity[ticket.severity] += 1
            result.by_intent[ticket.intent] += 1
            result.by_building[ticket.building or "-"] += 1
            if ticket.status in DONE:
                result.resolved += 1
            if ticket.claimed_at is not None:
                seconds = max(0.0, (ticket.claimed_at - ticket.created_at).total_seconds())
                result.claim_seconds.setdefault(ticket.severity, []).append(seconds)
            if ticket.resolved_at is not None:
                result.resolve_seconds.append(
                    max(0.0, (ticket.resolved_at - ticket.created_at).total_seconds())
                )
            if ticket.rating is not None:
                result.ratings.append(int(ticket.rating))
        result.by_day = sorted(by_day.items())
        for notice in notices:
            result.notices.append((notice, await self.app.notices.counts(notice.id, "notice")))
        return result
