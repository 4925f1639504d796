"""Nobody must be forgotten: claim reminders, the escalation ladder, the on-site reminder.

- Unclaimed (open or reopened) after `SLA_CLAIM_SECONDS_<SEVERITY>`: a reminder in the group
  (with the claim buttons), repeated every SLA period, at most `CLAIM_REMINDER_LIMIT` times.
- From reminder `ESCALATE_AFTER_REMINDERS` on, one rung of the ladder per reminder: a private
  message to every `SUPERVISOR_IDS` account (rung 1), then every `MANAGER_IDS` account
  (rung 2). An empty rung is skipped; with nobody configured the group is told once.
- A claimed emergency not marked on site after `ONSITE_REMINDER_SECONDS` (20 minutes, the
  procedures' dispatch time): a private reminder to the claimer and a note in the group.
- A reopened ticket (resident: not fixed; follow-up: unhappy) and a low rating go to the
  supervisors at once (an unhappy follow-up to the managers too: the centre director).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.actions import Keyboard, SendText, keyboard
from bot.storage.models import Ticket
from bot.texts import Raw
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.part import TicketPart
from bot.tickets.states import SYSTEM

SUPERVISORS = 1
MANAGERS = 2


RESIDENT_TOLD_TIMES = 3
"""An unclaimed emergency's resident hears at the first this-many reminders that it is still
being assigned (and, once someone above the group has been told, that it was escalated), with
the emergency numbers again."""


class Reminders(TicketPart):
    def claim_sla(self, severity: str) -> float:
        s = self.settings
        return {
            "emergency": s.sla_claim_seconds_emergency,
            "urgent": s.sla_claim_seconds_urgent,
        }.get(severity, s.sla_claim_seconds_normal)

    def people(self, rung: int, ticket: Ticket | None = None) -> list[str]:
        """Supervisors, or managers: the ticket's estate's own (`manager_ids` in
        ESTATES_FILE), else the company's (MANAGER_IDS)."""
        s = self.settings
        if rung == SUPERVISORS:
            return list(s.supervisor_ids)
        estate = self.tickets.estates.get(ticket.estate_id) if ticket is not None else None
        if estate is not None and estate.manager_ids:
            return sorted(estate.manager_ids)
        return list(s.manager_ids)

    # -- clocks ---------------------------------------------------------------------------
    async def start_claim_clock(self, ticket: Ticket) -> None:
        run_at = self.clock.now() + timedelta(seconds=self.claim_sla(ticket.severity))
        await self.schedule(jobs.CLAIM_REMINDER, ticket.id, run_at)

    async def start_onsite_clock(self, ticket: Ticket) -> None:
        if ticket.severity != "emergency":
            return
        run_at = self.clock.now() + timedelta(seconds=self.settings.onsite_reminder_seconds)
        await self.schedule(jobs.ONSITE_REMINDER, ticket.id, run_at)

    async def waiting_since(self, ticket: Ticket) -> datetime:
        """When the ticket began waiting for someone: opened, or last reopened."""
        if ticket.status == states.REOPENED:
            for event in reversed(await self.tickets.events(ticket.id)):
                if event.kind == "reopened":
                    return event.at
        return ticket.created_at

    # -- unclaimed ------------------------------------------------------------------------
    async def claim_reminder_job(self, payload: dict[str, Any]) -> None:
        ticket_id = int(payload["ticket_id"])
        counted = await self.tickets.set_values(
            ticket_id, Ticket.status.in_(states.WAITING), reminders_sent=Ticket.reminders_sent + 1
        )
        ticket = await self.tickets.get(ticket_id)
        if not counted or ticket is None:
            return  # claimed (or gone) meanwhile
        n = ticket.reminders_sent
        since = await self.waiting_since(ticket)
        age = self.tickets.fmt.age_since(since)
        await self.tickets.record(ticket.id, "reminder", SYSTEM, data={"n": n})
        if ticket.team:  # the team left it unclaimed past its deadline: the main group sees it
            ticket = await self.tickets.alerts.show_in_main(ticket)
        await self._remind_on_duty(ticket, n, age)
        await self.tickets.alerts.note(
            ticket, "staff.reminder.claim", with_buttons=True, age=age, n=n
        )
        await self._climb(ticket, n, age)
        if ticket.severity == "emergency" and n <= RESIDENT_TOLD_TIMES:  # the truth, and the numbers
            numbers = self.tickets.estates.of(ticket.estate_id).emergency_numbers(
                self.settings.crisis_hotline
            )
            await self.tickets.relay.notify_resident(
                ticket,
                "tickets.unclaimed_emergency"
                if await self._escalated(ticket.id)
                else "tickets.unclaimed_emergency_reminded",
                police=numbers["police"],
                fire=numbers["fire"],
                ambulance=numbers["ambulance"],
                # how long it has waited, in the resident's language: not the same words
                # three times in a row
                age=self.tickets.fmt.age_since(since, self.tickets.fmt.resident_locale(ticket)),
            )
        if n < self.settings.claim_reminder_limit:
            await self.start_claim_clock(ticket)

    async def _escalated(self, ticket_id: int) -> bool:
        """Someone above the group (a supervisor or a manager) has been told of the ticket:
        only then may its resident hear that it was escalated."""
        ticket = await self.tickets.get(ticket_id)
        level = ticket.escalation_level if ticket is not None else 0
        return bool(level) and bool(self.people(level, ticket))

    async def _remind_on_duty(self, ticket: Ticket, reminders: int, age: str) -> None:
        """The people on duty now (DUTY_ROSTER_FILE) are reminded privately first."""
        people = self.tickets.roster.on_duty(self.clock.now(), ticket.team)
        if not people:
            return
        claim = keyboard([(self._t("staff.button.claim"), tk.button_data(tk.CLAIM, ticket.id))])
        text = (
            self._t("desk.duty.reminder", id=ticket.id, age=age, n=reminders)
            + "\n\n"
            + self.tickets.alerts.card(ticket)
        )
        for person in people:
            await self.outbox.send(SendText(person, text, claim, ref=f"ticket:{ticket.id}:duty"))
        await self.tickets.record(ticket.id, "duty_reminder", SYSTEM, data={"to": people})

    # -- the handling deadline ------------------------------------------------------------
    async def due_job(self, payload: dict[str, Any]) -> None:
        """The deadline passed with the ticket still open: marked ⏰, the groups told."""
        ticket = await self.tickets.get(int(payload["ticket_id"]))
        if ticket is None or ticket.status not in states.RESOLVE_FROM or ticket.due_at is None:
            return
        await self.tickets.record(ticket.id, "overdue", SYSTEM)
        if ticket.team:
            ticket = await self.tickets.alerts.show_in_main(ticket)
        await self.tickets.alerts.refresh(ticket)
        await self.tickets.alerts.note(
            ticket, "desk.alert.overdue_note", due=self.tickets.fmt.short(ticket.due_at)
        )

    async def _climb(self, ticket: Ticket, reminders: int, age: str) -> None:
        after = self.settings.escalate_after_reminders
        if reminders < after:
            return
        rung = min(MANAGERS, SUPERVISORS + reminders - after)
        while rung <= MANAGERS and not self.people(rung, ticket):
            rung += 1  # nobody on this rung: the next one
        if rung > MANAGERS:
            if await self.tickets.set_values(
                ticket.id, Ticket.escalation_level == 0, escalation_level=MANAGERS
            ):
                await self.tickets.alerts.note(ticket, "staff.escalation.nobody")
            return
        if not await self.tickets.set_values(
            ticket.id, Ticket.escalation_level < rung, escalation_level=rung
        ):
            return  # this rung (or a higher one) was told already
        fresh = await self.tickets.get(ticket.id) or ticket
        header = self._t(
            f"staff.escalation.unclaimed_{rung}", id=ticket.id, age=age, reminders=reminders
        )
        await self._tell(fresh, self.people(rung, ticket), header, reason="unclaimed", rung=rung)
        await self.tickets.alerts.refresh(fresh)

    async def _tell(
        self,
        ticket: Ticket,
        people: list[str],
        header: str,
        *,
        reason: str,
        rung: int,
        with_buttons: bool = True,
    ) -> None:
        """A private message to each person: why, then the ticket's card; and the event."""
        text = header + "\n\n" + self.tickets.alerts.card(ticket)
        buttons: Keyboard | None = None
        if with_buttons and ticket.status in states.CLAIM_FROM:
            buttons = keyboard(
                [(self._t("staff.button.claim"), tk.button_data(tk.CLAIM, ticket.id))]
            )
        for person in people:
            await self.outbox.send(
                SendText(person, text, buttons, ref=f"ticket:{ticket.id}:escalation")
            )
        await self.tickets.record(
            ticket.id, "escalated", SYSTEM, data={"rung": rung, "to": people, "reason": reason}
        )

    # -- the resident is not happy --------------------------------------------------------
    async def escalate_reopened(self, ticket: Ticket, reason: str, answer: str) -> None:
        rungs = [SUPERVISORS, MANAGERS] if reason == "followup" else [SUPERVISORS]
        people = [p for rung in rungs for p in self.people(rung, ticket)]
        if not people:  # nobody on the chosen rungs: the next rung up, if any
            rungs = [MANAGERS]
            people = self.people(MANAGERS, ticket)
        if not people:
            await self.tickets.alerts.note(ticket, "staff.escalation.nobody")
            return
        rung = max(rungs)
        await self.tickets.set_values(ticket.id, escalation_level=rung)
        header = self._t(f"staff.escalation.reopened_{reason}", id=ticket.id, answer=answer)
        fresh = await self.tickets.get(ticket.id) or ticket
        await self._tell(fresh, list(dict.fromkeys(people)), header, reason=reason, rung=rung)
        await self.tickets.alerts.refresh(fresh)

    async def escalate_low_rating(self, ticket: Ticket, rating: int) -> None:
        people = self.people(SUPERVISORS, ticket) or self.people(MANAGERS, ticket)
        if not people:
            return
        header = self._t("staff.escalation.low_rating", id=ticket.id, rating=rating)
        await self._tell(
            ticket, people, header, reason="low_rating", rung=SUPERVISORS, with_buttons=False
        )

    # -- claimed but not there ------------------------------------------------------------
    async def onsite_reminder_job(self, payload: dict[str, Any]) -> None:
        ticket = await self.tickets.get(int(payload["ticket_id"]))
        if ticket is None or ticket.status != states.CLAIMED or ticket.severity != "emergency":
            return
        since = ticket.claimed_at or ticket.created_at
        age = self.tickets.fmt.age_since(since)
        summary = Raw(self.tickets.alerts.summary(ticket))
        if ticket.claimed_by:
            onsite = keyboard(
                [(self._t("staff.button.onsite"), tk.button_data(tk.ONSITE, ticket.id))]
            )
            await self.outbox.send(
                SendText(
                    ticket.claimed_by,
                    self._t(
                        "staff.reminder.onsite_private", id=ticket.id, age=age, summary=summary
                    ),
                    onsite,
                    ref=f"ticket:{ticket.id}:onsite_reminder",
                )
            )
        await self.tickets.alerts.note(
            ticket,
            "staff.reminder.onsite_group",
            with_buttons=True,
            age=age,
            name=ticket.claimed_by_name or "-",
        )
        await self.tickets.record(
            ticket.id, "onsite_reminder", SYSTEM, data={"to": ticket.claimed_by}
        )
