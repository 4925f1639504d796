"""Incident reports after emergencies: the deadline, a reminder before it, and the draft.

The deadline rule (procedures.md), in the estate's local time, counted from the event (the
moment the resident reported it, `tickets.created_at`):

    event 09:00-12:59  ->  18:00 the same day
    event 13:00-17:59  ->  09:00 the next day
    event 18:00-23:59  ->  12:00 the next day
    event 00:00-08:59  ->  12:00 the same day

"18:00-09:00 -> by 12:00 (noon) following" is read as the first noon after the event: for an
event after midnight that is the same calendar day's noon (a 02:00 event is due at 12:00
that day, not 34 hours later). Each band includes its start and excludes its end.

At resolve the deadline is stored (`tickets.report_due_at`), the group is told, and the
claimer is reminded `REPORT_REMIND_BEFORE_SECONDS` before it (at once if that is past), in
private and in the group, until someone presses "报告已提交". `/report N` drafts the report
(time, date, place, account from the timeline, what is uncertain, conclusion, signature)
as a message and as a text file.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from bot.core.actions import Keyboard, SendDocument, SendText, keyboard
from bot.storage.models import Ticket, TicketEvent
from bot.texts import Raw
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.alerts import alert_ref, shorten
from bot.tickets.part import TicketPart
from bot.tickets.states import SYSTEM, Actor
from bot.tickets.timeline import fit

_TAG = re.compile(r"<[^>]+>")
ACCOUNT_CHARS = 2400  # of the timeline in the message; the file has all of it
LEFT_OUT = (
    "report_due",
    "report_reminder",
    "report_drafted",
    "report_submitted",
    "followup_planned",
)


def report_deadline(event_at: datetime, tz: tzinfo) -> datetime:
    """When the incident report of an event at `event_at` is due (aware, in `tz`)."""
    local = event_at.astimezone(tz)
    day, t = local.date(), local.time()
    if time(9) <= t < time(13):
        due_day, due_time = day, time(18)
    elif time(13) <= t < time(18):
        due_day, due_time = day + timedelta(days=1), time(9)
    elif t >= time(18):
        due_day, due_time = day + timedelta(days=1), time(12)
    else:  # 00:00-08:59: the noon that follows is today's
        due_day, due_time = day, time(12)
    return datetime.combine(due_day, due_time, tzinfo=tz)


def html_to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


class IncidentReports(TicketPart):
    def _submitted_button(self, ticket_id: int) -> Keyboard:
        return keyboard(
            [(self._t("staff.button.reported"), tk.button_data(tk.REPORTED, ticket_id))]
        )

    # -- deadline and reminder ------------------------------------------------------------
    async def on_resolved(self, ticket: Ticket, actor: Actor) -> None:
        if ticket.severity != "emergency" or await self.submitted(ticket.id):
            return
        due = report_deadline(ticket.created_at, self.tickets.fmt.tz)
        await self.tickets.set_values(ticket.id, report_due_at=due)
        await self.tickets.record(ticket.id, "report_due", SYSTEM, data={"at": due.isoformat()})
        await self.tickets.alerts.note(
            ticket, "staff.report.due_set", due=self.tickets.fmt.short(due)
        )
        before = timedelta(seconds=self.settings.report_remind_before_seconds)
        remind_at = max(self.clock.now(), due - before)
        await self.schedule(jobs.REPORT_REMINDER, ticket.id, remind_at)

    async def submitted(self, ticket_id: int) -> bool:
        return any(e.kind == "report_submitted" for e in await self.tickets.events(ticket_id))

    async def reminder_job(self, payload: dict[str, Any]) -> None:
        ticket = await self.tickets.get(int(payload["ticket_id"]))
        if ticket is None or ticket.report_due_at is None or await self.submitted(ticket.id):
            return
        now, due = self.clock.now(), ticket.report_due_at
        key = "staff.report.overdue" if now >= due else "staff.report.reminder"
        text = self._t(
            key,
            id=ticket.id,
            due=self.tickets.fmt.short(due),
            summary=Raw(self.tickets.alerts.summary(ticket)),
            left=self.tickets.fmt.age((due - now).total_seconds()),
        )
        buttons = self._submitted_button(ticket.id)
        ref = f"ticket:{ticket.id}:report_reminder"
        if ticket.claimed_by:
            await self.outbox.send(SendText(ticket.claimed_by, text, buttons, ref=ref))
        await self.outbox.send(
            SendText(
                self.tickets.main_chat(ticket),
                text,
                buttons,
                reply_to=alert_ref(ticket.id),
                ref=ref,
            )
        )
        await self.tickets.record(
            ticket.id, "report_reminder", SYSTEM, data={"to": ticket.claimed_by}
        )

    async def mark_submitted(self, ticket: Ticket, actor: Actor) -> str:
        if await self.submitted(ticket.id):
            return self._t("staff.answer.report_already", id=ticket.id)
        await self.tickets.record(ticket.id, "report_submitted", actor)
        await self.cancel(jobs.REPORT_REMINDER, ticket_id=ticket.id)
        return self._t("staff.answer.reported", id=ticket.id)

    # -- the draft ------------------------------------------------------------------------
    def uncertain(self, ticket: Ticket, events: list[TicketEvent]) -> list[str]:
        kinds = {e.kind for e in events}
        found = []
        if not ticket.building and not ticket.room:
            found.append("no_place")
        if not ticket.phone:
            found.append("no_phone")
        if self.tickets.alerts.is_incomplete(ticket):
            found.append("incomplete")
        if "on_site" not in kinds:
            found.append("no_onsite")
        if ticket.status in states.FINISHED and ticket.fixed is None:
            found.append("not_confirmed")
        if ticket.fixed is False or ticket.status == states.REOPENED:
            found.append("not_fixed")
        if ticket.status not in states.FINISHED:
            found.append("not_finished")
        found.append("fill_in")
        return [self._t(f"staff.report.uncertain.{key}") for key in found]

    def conclusion(self, ticket: Ticket) -> str:
        if ticket.status in (states.RESOLVED, states.CLOSED):
            key = (
                "staff.report.conclusion.confirmed"
                if ticket.fixed
                else "staff.report.conclusion.resolved"
            )
            return self._t(
                key,
                time=self.tickets.fmt.full(ticket.resolved_at),
                name=ticket.claimed_by_name or "-",
            )
        return self._t(
            "staff.report.conclusion.open", state=self.tickets.alerts.state_name(ticket.status)
        )

    async def draft(self, ticket: Ticket, *, fit_message: bool = True) -> str:
        """The draft report as Telegram HTML; `fit_message` keeps it within one message."""
        events = [e for e in await self.tickets.events(ticket.id) if e.kind not in LEFT_OUT]
        fmt = self.tickets.fmt
        lines = [self.tickets.timeline.line(e) for e in events]
        if fit_message:
            omitted = lambda n: self._t("staff.timeline.omitted", count=n)  # noqa: E731
            account = fit("", lines, omitted, limit=ACCOUNT_CHARS)
        else:
            account = "\n".join(lines)
        uncertain = "\n".join(
            self._t("staff.report.bullet", text=u) for u in self.uncertain(ticket, events)
        )
        due = ticket.report_due_at or (
            report_deadline(ticket.created_at, fmt.tz) if ticket.severity == "emergency" else None
        )
        text = self._t(
            "staff.report.body",
            id=ticket.id,
            time=fmt.clock(ticket.created_at),
            date=fmt.date(ticket.created_at),
            place=fmt.place_or_unknown(ticket),
            intent=fmt.intent(ticket.intent),
            phone=ticket.phone or self._t("staff.alert.no_phone"),
            words=shorten(ticket.description or "-"),
            account=Raw(account),
            uncertain=Raw(uncertain),
            conclusion=self.conclusion(ticket),
            due=fmt.short(due) if due else self._t("staff.report.no_deadline"),
        )
        if ticket.severity != "emergency":
            text = self._t("staff.report.not_emergency") + "\n" + text
        return text

    async def send_draft(self, ticket: Ticket, chat_id: str, actor: Actor) -> None:
        text = await self.draft(ticket)
        full = await self.draft(ticket, fit_message=False)
        await self.outbox.send(SendText(chat_id, text, self._submitted_button(ticket.id)))
        await self.outbox.send(
            SendDocument(
                chat_id,
                filename=f"incident-report-{ticket.id}.txt",
                content=html_to_plain(full).encode("utf-8"),
                caption=self._t("staff.report.caption", id=ticket.id),
            )
        )
        await self.tickets.record(ticket.id, "report_drafted", actor)
