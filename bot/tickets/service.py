"""Tickets: open one (timeline, staff alert, reminders), find one, record its events.

Public API (teammates call these): `open_ticket(TicketDraft)`, `get(id)`,
`active_ticket_for(chat_id)`, `relay_from_resident(ticket, incoming)`, `add_event(...)`.
The parts live in small modules, reached through this service:

- `alerts`     the staff-group alert: layout, buttons, edited in place (alerts.py)
- `workflow`   claim / on site / resolve / reopen / close, atomic (workflow.py)
- `relay`      resident <-> staff messages and photos (relay.py)
- `feedback`   the resident's "is it fixed?" and rating, auto-close (feedback.py)
- `reminders`  unclaimed reminders, the escalation ladder, on-site reminder (reminders.py)
- `followups`  回访 after closing (followup.py)
- `reports`    incident-report deadline, reminder and draft (reports.py)
- `timeline`   /open and /ticket N (timeline.py)
- `handover`   unclaim, assign to a colleague, internal notes (handover.py)
- `closing`    closing with a reason, duplicates merged, paid repairs (closing.py)
- `digest`     the shift hand-over digest (digest.py)

Teams (`teams.py`: which group gets a ticket), the duty roster (`roster.py`) and the working
calendar (`deadlines.py`: each ticket's `due_at`) are values given by the bootstrap. With
several estates (`bot/estates.py`) each ticket carries its `estate_id`: its alert, reminders
and escalation go to that estate's staff group and teams, its deadline follows that estate's
calendar, and a group acts only on its estate's tickets (`Estates.may_act`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import or_, select, update

from bot.core.incoming import Incoming
from bot.core.places import without_block
from bot.estates import Estate, Estates
from bot.storage.models import (
    MessageRef,
    OutboxMessage,
    OutboxStatus,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from bot.tickets import jobs
from bot.tickets.alerts import AlertBoard, alert_ref
from bot.tickets.closing import Closing
from bot.tickets.deadlines import WorkCalendar, due_at
from bot.tickets.digest import Digest
from bot.tickets.draft import TicketDraft
from bot.tickets.feedback import ResidentFeedback
from bot.tickets.followup import FollowUps
from bot.tickets.formatting import Formatter
from bot.tickets.handover import HandOver
from bot.tickets.part import TicketPart
from bot.tickets.relay import Relay
from bot.tickets.reminders import Reminders
from bot.tickets.reports import IncidentReports
from bot.tickets.roster import Roster
from bot.tickets.states import Actor
from bot.tickets.teams import Team, Teams
from bot.tickets.timeline import Timeline
from bot.tickets.workflow import Workflow

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger, Scheduler
    from bot.storage.db import Database
    from bot.texts import Texts

P = TypeVar("P", bound=TicketPart)
log = logging.getLogger(__name__)

FEEDBACK_WINDOW = timedelta(days=2)
"""How long after closing a typed rating ("三颗星") is still taken for the ticket."""
RECENT_PLACE_WINDOW = timedelta(hours=12)
"""A report this soon after another of the same chat is offered that one's block and flat."""


class TicketService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Messenger,
        scheduler: Scheduler,
        teams: Teams | None = None,
        roster: Roster | None = None,
        calendar: WorkCalendar | None = None,
        estates: Estates | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.estates = estates or Estates(
            [
                Estate(
                    id=0,
                    name=settings.estate_name,
                    staff_chat_id=settings.staff_chat_id,
                    teams=teams or Teams(),
                    region=settings.region,
                    office_hours=settings.office_hours,
                    timezone=settings.timezone,
                )
            ],
            company_chat=settings.staff_chat_id,
        )
        self.roster = roster or Roster(timezone=settings.timezone)
        self._calendar = calendar  # given: every estate's (tests); else each estate's own
        self.fmt = Formatter(settings=settings, clock=clock, texts=texts)

        def part(cls: type[P]) -> P:
            return cls(
                self,
                settings=settings,
                clock=clock,
                db=db,
                texts=texts,
                outbox=outbox,
                scheduler=scheduler,
            )

        self.alerts = part(AlertBoard)
        self.workflow = part(Workflow)
        self.relay = part(Relay)
        self.feedback = part(ResidentFeedback)
        self.reminders = part(Reminders)
        self.followups = part(FollowUps)
        self.reports = part(IncidentReports)
        self.timeline = part(Timeline)
        self.handover = part(HandOver)
        self.closing = part(Closing)
        self.digest = part(Digest)

    # -- estates -------------------------------------------------------------------------
    @property
    def teams(self) -> Teams:
        """The default estate's teams (one estate: the teams)."""
        return self.estates.default.teams

    @teams.setter
    def teams(self, teams: Teams) -> None:
        self.estates.default.teams = teams
        self.estates.refresh()  # the group list follows

    def teams_for(self, estate_id: int | None) -> Teams:
        """A ticket's teams: its estate's (none while its estate is not known)."""
        estate = self.estates.get(estate_id)
        return estate.teams if estate is not None else Teams()

    def calendar_for(self, estate_id: int | None) -> WorkCalendar:
        return self._calendar or self.estates.of(estate_id).calendar

    def main_chat(self, ticket: Ticket) -> str:
        """The ticket's estate's staff group (the company group while its estate is not known)."""
        return self.estates.staff_chat(ticket.estate_id)

    def team_of_chat(self, chat_id: str | None) -> Team | None:
        estate = self.estates.of_chat(chat_id) if chat_id else None
        return estate.teams.of_chat(chat_id) if estate is not None and chat_id else None

    def may_act(self, chat_id: str, ticket: Ticket) -> bool:
        """Staff in this group may act on this ticket (their estate's, or the company group)."""
        return self.estates.may_act(chat_id, ticket.estate_id)

    def seen_in(self, chat_id: str | None, tickets: Sequence[Ticket]) -> list[Ticket]:
        """The tickets a group sees: a team group its team's, an estate's group its estate's,
        the company group (or a private chat, `None`) all."""
        if not chat_id:
            return list(tickets)
        estate = self.estates.of_chat(chat_id)
        if estate is None:
            return list(tickets)
        team = estate.teams.of_chat(chat_id)
        return [
            t for t in tickets
            if self.estates.may_act(chat_id, t.estate_id) and (team is None or t.team == team.key)
        ]

    async def refresh_alert(self, ticket: Ticket) -> None:
        """Redraw the ticket's staff-group alert (after another service changed it)."""
        await self.alerts.refresh(ticket)

    # -- opening --------------------------------------------------------------------------
    async def open_ticket(self, draft: TicketDraft) -> Ticket:
        """Create the ticket and its first event, alert the staff group, start the reminders."""
        now = self.clock.now()
        estate_id = self.estates.resolved(draft.estate_id)  # one estate: always that one
        team = self.teams_for(estate_id).route(draft.intent, draft.building)
        async with self.db.transaction() as session:
            ticket = Ticket(
                chat_id=draft.chat_id,
                user_id=draft.user_id,
                user_name=draft.user_name,
                resident_id=draft.resident_id,
                estate_id=estate_id,
                intent=draft.intent,
                severity=draft.severity,
                building=draft.building,
                room=draft.room,
                phone=draft.phone,
                description=draft.description,
                status=TicketStatus.OPEN,
                reminders_sent=0,
                escalation_level=0,
                team=team.key if team else None,
                due_at=due_at(
                    self.settings, self.calendar_for(estate_id), draft.severity, now
                ),
                extra={**draft.extra, "photos": list(draft.photos), "locale": draft.locale},
                created_at=now,
                updated_at=now,
            )
            session.add(ticket)
            await session.flush()
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    at=now,
                    kind="created",
                    actor_kind="resident",
                    actor_id=draft.user_id,
                    actor_name=draft.user_name,
                    text=draft.description,
                    data={"incomplete": True} if self.alerts.is_incomplete(ticket) else {},
                )
            )
        await self.alerts.post(ticket)
        await self.reminders.start_claim_clock(ticket)
        if ticket.due_at is not None:
            await self.reminders.schedule(jobs.DUE, ticket.id, ticket.due_at)
        return ticket

    async def resume_opening(self, planned: Collection[str]) -> int:
        """Finish opening the tickets a crash cut short. A ticket is committed first and its
        staff alert and claim reminder are written after it, so a process killed in between
        leaves a ticket nobody is told about and nothing reminds. At start and when this
        process takes the lead: every ticket still waiting for its first claim (open,
        unclaimed, never reminded) without a claim-reminder job (`planned`: the ids of
        the jobs in the store) gets its alert, when none was stored, and its reminder.
        Returns how many tickets were resumed."""
        async with self.db.session() as session:
            waiting = list(
                await session.scalars(
                    select(Ticket).where(
                        Ticket.status == TicketStatus.OPEN,
                        Ticket.claimed_by.is_(None),
                        Ticket.reminders_sent == 0,
                    )
                )
            )
        if not waiting:
            return 0
        cut_short = [
            t for t in waiting if jobs.job_id(jobs.CLAIM_REMINDER, t.id) not in planned
        ]
        if not cut_short:
            return 0
        refs = {alert_ref(t.id): t for t in cut_short}
        since = min(t.created_at for t in cut_short)
        async with self.db.session() as session:
            posted = set(
                await session.scalars(select(MessageRef.ref).where(MessageRef.ref.in_(refs)))
            )
            queued = await session.scalars(
                select(OutboxMessage.action).where(
                    OutboxMessage.created_at >= since,
                    OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)),
                )
            )
            posted.update(str(a.get("ref")) for a in queued if isinstance(a, dict))
        for ref, ticket in refs.items():
            if ref not in posted:
                await self.alerts.post(ticket)
            await self.reminders.start_claim_clock(ticket)
        log.warning("resumed %d ticket(s) whose opening a stop cut short", len(cut_short))
        return len(cut_short)

    # -- reading --------------------------------------------------------------------------
    async def get(self, ticket_id: int) -> Ticket | None:
        async with self.db.session() as session:
            return await session.get(Ticket, ticket_id)

    async def of_resident(self, chat_id: str, *, limit: int = 20) -> Sequence[Ticket]:
        """The resident's tickets, newest first ("我的工单", /mydata)."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Ticket)
                .where(Ticket.chat_id == chat_id)
                .order_by(Ticket.id.desc())
                .limit(limit)
            )
            return rows.all()

    async def active_ticket_for(self, chat_id: str) -> Ticket | None:
        """The resident's newest ticket still being worked on (open, claimed, on site, reopened)."""
        async with self.db.session() as session:
            ticket: Ticket | None = await session.scalar(
                select(Ticket)
                .where(Ticket.chat_id == chat_id, Ticket.status.in_(TicketStatus.ACTIVE))
                .order_by(Ticket.id.desc())
                .limit(1)
            )
        if ticket is None:  # theirs was closed as a duplicate: they follow the other one
            ticket = await self.following(chat_id)
        return ticket

    async def untaken(
        self, chat_id: str, intents: Collection[str], since: datetime
    ) -> Sequence[Ticket]:
        """The chat's tickets of `intents` opened since `since` that nobody has taken yet."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Ticket)
                .where(
                    Ticket.chat_id == chat_id,
                    Ticket.intent.in_(list(intents)),
                    Ticket.status == TicketStatus.OPEN,
                    Ticket.claimed_by.is_(None),
                    Ticket.created_at >= since,
                )
                .order_by(Ticket.id)
            )
            return rows.all()

    async def recent_place(
        self, chat_id: str, *, after: datetime | None = None
    ) -> dict[str, str]:
        """Block, flat and phone of the chat's newest ticket of the last RECENT_PLACE_WINDOW,
        or still open, that has a block ({} when none): a new report offers them as buttons
        ("还是在 12栋1802 吗？") instead of asking afresh, whether or not the resident let them
        be remembered (they are the resident's own words, shown only in that chat). Tickets
        from before `after` (when the resident said /forget) are not offered."""
        since = self.clock.now() - RECENT_PLACE_WINDOW
        newer = [Ticket.created_at > after] if after is not None else []
        async with self.db.session() as session:
            ticket: Ticket | None = await session.scalar(
                select(Ticket)
                .where(
                    Ticket.chat_id == chat_id,
                    or_(Ticket.created_at >= since, Ticket.closed_at.is_(None)),  # or still open
                    Ticket.building.is_not(None),
                    *newer,
                )
                .order_by(Ticket.id.desc())
                .limit(1)
            )
        if ticket is None or not ticket.building:
            return {}
        found = {"building": ticket.building, "room": ticket.room, "phone": ticket.phone}
        return {k: v for k, v in found.items() if v}

    async def awaiting_feedback(self, chat_id: str) -> Ticket | None:
        """The resident's newest ticket whose "问题解决了吗？" or rating is still unanswered:
        resolved and waiting, or closed as fixed without a rating within FEEDBACK_WINDOW."""
        since = self.clock.now() - FEEDBACK_WINDOW
        async with self.db.session() as session:
            ticket: Ticket | None = await session.scalar(
                select(Ticket).where(Ticket.chat_id == chat_id).order_by(Ticket.id.desc()).limit(1)
            )
        if ticket is None:
            return None
        if ticket.status == TicketStatus.RESOLVED:
            return ticket
        recent = ticket.closed_at is not None and ticket.closed_at >= since
        if ticket.status == TicketStatus.CLOSED and ticket.fixed and ticket.rating is None and recent:
            return ticket
        return None

    async def following(self, chat_id: str) -> Ticket | None:
        """The active ticket a resident follows because theirs was merged into it."""
        async with self.db.session() as session:
            merged: Ticket | None = await session.scalar(
                select(Ticket)
                .where(Ticket.chat_id == chat_id, Ticket.merged_into.is_not(None))
                .order_by(Ticket.id.desc())
                .limit(1)
            )
            if merged is None or merged.merged_into is None:
                return None
            target: Ticket | None = await session.get(Ticket, merged.merged_into)
        if target is None or target.status not in TicketStatus.ACTIVE:
            return None
        return target

    async def active_tickets(self) -> Sequence[Ticket]:
        """Every ticket still being worked on, oldest first."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Ticket)
                .where(Ticket.status.in_(TicketStatus.ACTIVE))
                .order_by(Ticket.created_at, Ticket.id)
            )
            return rows.all()

    async def events(self, ticket_id: int) -> Sequence[TicketEvent]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
            return rows.all()

    # -- writing --------------------------------------------------------------------------
    async def add_event(
        self,
        ticket_id: int,
        kind: str,
        *,
        actor_kind: str,
        actor_id: str | None = None,
        actor_name: str | None = None,
        text: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        async with self.db.transaction() as session:
            session.add(
                TicketEvent(
                    ticket_id=ticket_id,
                    at=self.clock.now(),
                    kind=kind,
                    actor_kind=actor_kind,
                    actor_id=actor_id,
                    actor_name=actor_name,
                    text=text,
                    data=data or {},
                )
            )

    async def record(
        self,
        ticket_id: int,
        kind: str,
        actor: Actor,
        *,
        text: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        await self.add_event(
            ticket_id,
            kind,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            text=text,
            data=data,
        )

    async def transition(
        self,
        ticket_id: int,
        *,
        allowed: Sequence[str],
        to: str,
        event: str,
        actor: Actor,
        values: dict[str, Any] | None = None,
        text: str | None = None,
        data: dict[str, Any] | None = None,
        where: Sequence[Any] = (),
    ) -> Ticket | None:
        """Atomically move the ticket from one of `allowed` to `to`, with its event.

        Returns the updated ticket, or None when it was not in an allowed state (someone
        else was faster, or the button is stale). `where` adds conditions.
        """
        now = self.clock.now()
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.status.in_(list(allowed)), *where)
                .values(status=to, updated_at=now, **(values or {}))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            session.add(
                TicketEvent(
                    ticket_id=ticket_id,
                    at=now,
                    kind=event,
                    actor_kind=actor.kind,
                    actor_id=actor.id,
                    actor_name=actor.name,
                    text=text,
                    data=data or {},
                )
            )
        return await self.get(ticket_id)

    async def set_values(self, ticket_id: int, *where: Any, **values: Any) -> bool:
        """A conditional UPDATE of plain columns; True when the row matched."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, *where)
                .values(updated_at=self.clock.now(), **values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # -- relay (the conversation engineer's entry point) ---------------------------------
    async def update_details(self, ticket: Ticket, **details: str) -> Ticket:
        """The resident corrected or added building, room or phone: the ticket, its alert
        and the timeline follow, and the group is told. The ticket as it is now."""
        allowed: dict[str, Any] = {
            k: v for k, v in details.items() if k in ("building", "room", "phone")
        }
        if not allowed:
            return ticket
        place = without_block(
            (ticket.extra or {}).get("place"), ticket.building, allowed.get("building")
        )
        if place is not None:  # "2栋东边那个电梯" once 2栋 is corrected to 12栋 (blind DU09)
            allowed["extra"] = {**(ticket.extra or {}), "place": place or None}
        await self.set_values(ticket.id, **allowed)
        fresh = await self.get(ticket.id) or ticket
        told = {k: v for k, v in allowed.items() if k != "extra"}
        await self.record(ticket.id, "corrected", Actor("resident", ticket.user_id), data=told)
        await self.alerts.refresh(fresh)
        await self.alerts.note(fresh, "staff.reminder.corrected")
        return fresh

    async def merge_extra(self, ticket: Ticket, **values: Any) -> Ticket:
        """`values` added to the stored ticket's extra (read afresh, so marks written earlier
        in the same turn stay); the ticket as it is now."""
        current = await self.get(ticket.id) or ticket
        await self.set_values(ticket.id, extra={**(current.extra or {}), **values})
        return await self.get(ticket.id) or ticket

    async def mark_no_calls(self, ticket: Ticket) -> None:
        """The resident cannot or must not be called ("别打电话 他会听见", deaf): the alert
        says so at the top and the group is told, under the alert."""
        fresh = await self.merge_extra(ticket, no_calls=True)
        await self.alerts.refresh(fresh)
        await self.alerts.note(fresh, "staff.reminder.no_calls", with_buttons=True)

    async def also_mentioned(self, ticket: Ticket, intent: str, words: str) -> None:
        """Another danger read in what the resident wrote about an open emergency: the
        ticket names it ("➕ 也提到") and the group is told, under the alert."""
        also = [str(i) for i in (ticket.extra or {}).get("also") or []]
        fresh = ticket
        if intent not in also and intent != ticket.intent:
            fresh = await self.merge_extra(ticket, also=[*also, intent])
        await self.alerts.refresh(fresh)
        what = self.alerts.fmt.intent(intent)
        await self.alerts.note(fresh, "staff.reminder.also", with_buttons=True, what=what,
                               words=words[:300])  # fmt: skip

    async def relay_from_resident(self, ticket: Ticket, incoming: Incoming) -> None:
        """A resident's message about an active ticket: to the staff group, under its alert."""
        await self.relay.from_resident(ticket, incoming)

