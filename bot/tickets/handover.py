"""Hand-over: give a ticket back (unclaim), hand it to a named colleague (assign), a
supervisor's claim on someone's behalf; and internal notes. All on the ticket's timeline.

- Unclaim (↩️ button, `/unclaim N`): by the claimer or a supervisor; back to the pool, the
  claim reminders start again.
- `/assign N 名字`: the claimer hands over; a supervisor assigns any active ticket (an
  unclaimed one is claimed on the colleague's behalf). The colleague is told privately with
  the ticket's card and its buttons. Names come from `people:` in the teams file (an
  account id works too).
- Internal notes (`/note N ...`, a reply to a ticket's message starting with `//` or
  `#内部`, or a reply to the message the 📝 button posts): kept on the timeline, never
  relayed to the resident.
"""

from __future__ import annotations

from bot.core.actions import SendText, keyboard
from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets import jobs, states
from bot.tickets.alerts import alert_ref
from bot.tickets.part import TicketPart
from bot.tickets.states import Actor

NOTE_MARKERS = ("//", "#内部", "＃内部")
NOTE_PROMPT = "note_prompt"


def note_prompt_ref(ticket_id: int) -> str:
    return f"ticket:{ticket_id}:{NOTE_PROMPT}"


def is_note_prompt(ref: str | None) -> bool:
    return bool(ref) and str(ref).endswith(":" + NOTE_PROMPT)


HELD = (states.CLAIMED, states.ON_SITE)


def note_text(text: str | None) -> str | None:
    """The note in a staff reply that starts with an internal marker, else None."""
    stripped = (text or "").strip()
    for marker in NOTE_MARKERS:
        if stripped.startswith(marker):
            return stripped[len(marker) :].strip(" ：:")
    return None


class HandOver(TicketPart):
    def is_supervisor(self, user_id: str | None) -> bool:
        s = self.settings
        return bool(user_id) and (user_id in s.supervisor_ids or user_id in s.manager_ids)

    # -- unclaim ---------------------------------------------------------------------------
    async def unclaim(self, ticket: Ticket, actor: Actor) -> str:
        if ticket.status not in HELD:
            return self._t("desk.handover.not_held", id=ticket.id)
        if ticket.claimed_by != actor.id and not self.is_supervisor(actor.id):
            return self._t(
                "desk.handover.not_yours", id=ticket.id, name=ticket.claimed_by_name or "-"
            )
        done = await self.tickets.transition(
            ticket.id,
            allowed=HELD,
            to=states.OPEN,
            event="unclaimed",
            actor=actor,
            values={
                "claimed_by": None,
                "claimed_by_name": None,
                "claimed_at": None,
                "on_site_at": None,
                "reminders_sent": 0,
                "escalation_level": 0,
            },
            data={"from": ticket.claimed_by_name},
            where=(Ticket.claimed_by == ticket.claimed_by,),
        )
        if done is None:
            return self._t("staff.answer.expired")
        await self.cancel(jobs.ONSITE_REMINDER, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        await self.tickets.alerts.note(
            done, "desk.handover.unclaimed", with_buttons=True, name=actor.name or "-"
        )
        await self.tickets.reminders.start_claim_clock(done)
        return self._t("desk.handover.unclaimed_answer", id=done.id)

    # -- assign ----------------------------------------------------------------------------
    async def assign(self, ticket: Ticket, actor: Actor, who: str) -> str:
        teams = self.tickets.teams_for(ticket.estate_id)
        person = teams.person(who) if who.strip() else None
        if person is None:
            names = self._t("staff.alert.separator").join(teams.people) or "-"
            return self._t("desk.handover.unknown_person", who=who, names=names)
        account, name = person
        if ticket.status not in states.RESOLVE_FROM:
            return self._t(
                "staff.answer.wrong_state",
                id=ticket.id,
                state=self.tickets.alerts.state_name(ticket.status),
            )
        supervisor = self.is_supervisor(actor.id)
        if not supervisor and not (ticket.status in HELD and ticket.claimed_by == actor.id):
            return self._t("desk.handover.assign_refused", id=ticket.id)
        if ticket.claimed_by == account:
            return self._t("desk.handover.already", id=ticket.id, name=name)
        waiting = ticket.status in states.WAITING
        now = self.clock.now()
        done = await self.tickets.transition(
            ticket.id,
            allowed=(ticket.status,),
            to=states.CLAIMED if waiting else ticket.status,
            event="assigned",
            actor=actor,
            values={"claimed_by": account, "claimed_by_name": name, "claimed_at": now},
            data={"from": ticket.claimed_by_name, "value": name, "on_behalf": waiting},
            where=(
                Ticket.claimed_by.is_(None)
                if ticket.claimed_by is None
                else Ticket.claimed_by == ticket.claimed_by,
            ),
        )
        if done is None:
            return self._t("staff.answer.expired")
        if waiting:
            await self.cancel(jobs.CLAIM_REMINDER, ticket_id=done.id)
        await self.tickets.alerts.refresh(done)
        buttons = [
            (self._t("staff.button.onsite"), tk.button_data(tk.ONSITE, done.id))
            if done.status == states.CLAIMED
            else None,
            (self._t("staff.button.resolve"), tk.button_data(tk.RESOLVE, done.id)),
        ]
        text = (
            self._t("desk.handover.assigned_private", id=done.id, by=actor.name or "-")
            + "\n\n"
            + self.tickets.alerts.card(done)
        )
        await self.outbox.send(
            SendText(
                account,
                text,
                keyboard([b for b in buttons if b is not None]),
                ref=f"ticket:{done.id}:assigned",
            )
        )
        if waiting:
            await self.tickets.relay.notify_resident(done, "tickets.claimed")
            await self.tickets.reminders.start_onsite_clock(done)
        return self._t("desk.handover.assigned_answer", id=done.id, name=name)

    # -- internal notes --------------------------------------------------------------------
    async def prompt_note(self, ticket: Ticket, chat_id: str) -> str:
        """The 📝 button: a message to reply to; the reply is kept as a note (never relayed)."""
        await self.outbox.send(
            SendText(
                chat_id,
                self._t("desk.handover.note_prompt", id=ticket.id),
                reply_to=alert_ref(ticket.id),
                ref=note_prompt_ref(ticket.id),
            )
        )
        return self._t("desk.handover.note_prompt_answer", id=ticket.id)

    async def note(self, ticket: Ticket, actor: Actor, text: str) -> str:
        if not text.strip():
            return self._t("desk.usage.note")
        await self.tickets.record(ticket.id, "note", actor, text=text.strip())
        return self._t("desk.handover.noted", id=ticket.id)
