"""The staff-group alert: one scannable message per ticket, edited in place as it moves.

    🔴 紧急 · 燃气泄漏 · #12
    📍 3栋 1202室
    📞 13812345678
    💬 厨房有煤气味
    👤 王女士 · 🕐 11-21 18:03
    🙋 张师傅 接单 18:05
    [接单] [已到场] [已解决]

Sent with ref `ticket:<id>:alert`: edits target it, and a staff reply to it reaches the
resident (see relay.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.actions import EditText, Keyboard, SendPhoto, SendText, keyboard
from bot.core.ids import strict_id
from bot.core.privacy import mask_phone
from bot.storage.models import Ticket, TicketEvent
from bot.texts import Raw
from bot.tickets import buttons as tk
from bot.tickets import states
from bot.tickets.part import TicketPart

if TYPE_CHECKING:
    pass

MAX_WORDS = 300  # characters of the resident's words shown in an alert (all in /ticket N)
HISTORY_EVENTS = (
    "cancelled",
    "claimed",
    "on_site",
    "resolved",
    "reopened",
    "closed",
    "rated",
    "followup_answer",
    "unclaimed",
    "assigned",
)


def alert_ref(ticket_id: int) -> str:
    return f"ticket:{ticket_id}:alert"


def ticket_id_of_ref(ref: str | None) -> int | None:
    """ "ticket:12:alert" (or any "ticket:12:...") -> 12."""
    if not ref:
        return None
    parts = ref.split(":")
    if len(parts) >= 2 and parts[0] == "ticket":
        return strict_id(parts[1])
    return None


def shorten(text: str, limit: int = MAX_WORDS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AlertBoard(TicketPart):
    # -- facts ------------------------------------------------------------------------------
    @staticmethod
    def is_incomplete(ticket: Ticket) -> bool:
        """Opened although the resident did not answer everything (e.g. went silent)."""
        extra = ticket.extra or {}
        return bool(extra.get("incomplete") or extra.get("idle") or extra.get("reason") == "idle")

    def missing(self, ticket: Ticket) -> list[str]:
        """What the resident did not tell us, by name (the flow's own list when it gave one)."""
        extra = ticket.extra or {}
        given = extra.get("missing")
        if isinstance(given, list) and given:  # less what was told since ("13812345678")
            told = {
                "phone": ticket.phone,
                "building": ticket.building,
                "room": ticket.room,
                "place": ticket.building or ticket.room or extra.get("place"),
            }
            fields = [str(name) for name in given if not told.get(str(name))]
        else:
            fields = []
            if not ticket.building and not ticket.room and not extra.get("place"):
                fields.append("place")
            if not ticket.phone:
                fields.append("phone")
            if not ticket.description.strip():
                fields.append("words")
        names = []
        for field in fields:
            key = f"staff.alert.field.{field}"
            names.append(self._t(key) if self._t.has(key) else field)
        return list(dict.fromkeys(names))

    def mark(self, ticket: Ticket) -> str:
        key = f"staff.mark.{ticket.severity}"
        return self._t(key) if self._t.has(key) else self._t("staff.mark.normal")

    def hazard(self, ticket: Ticket) -> str:
        """What the ticket is called in its head: its intent's name, or its situation's
        `safety.<situation>.staff` when the situation has one (a plea that named no danger
        is filed under the model's guess, which staff must not take for the danger)."""
        situation = (ticket.extra or {}).get("situation")
        key = f"safety.{situation}.staff"
        return self._t(key) if situation and self._t.has(key) else self.fmt.intent(ticket.intent)

    def summary(self, ticket: Ticket) -> str:
        """One line: "🔴 #12 燃气泄漏 · 3栋 1202室 · 13812345678"."""
        return self._t(
            "staff.summary",
            mark=self.mark(ticket),
            id=ticket.id,
            intent=self.hazard(ticket),
            place=self.fmt.place_or_unknown(ticket),
            phone=self.phone(ticket),
        )

    def phone(self, ticket: Ticket) -> str:
        """The phone as the staff group sees it (PIPL): in full for an emergency and once
        someone has claimed the ticket (the claimer calls); otherwise masked, 138****5678."""
        if not ticket.phone:
            return self._t("staff.alert.no_phone")
        if ticket.severity == "emergency" or ticket.claimed_by:
            return ticket.phone
        return mask_phone(ticket.phone)

    def state_name(self, status: str) -> str:
        return self._t(f"staff.state.{status}")

    # -- the card -------------------------------------------------------------------------
    def card(self, ticket: Ticket) -> str:
        """The ticket's facts, without its history (also used in escalation messages)."""
        severity_key = f"staff.severity.{ticket.severity}"
        lines = [
            self._t(
                "staff.alert.head",
                severity=self._t(severity_key)
                if self._t.has(severity_key)
                else ticket.severity,
                intent=self.hazard(ticket),
                id=ticket.id,
            )
        ]
        extra = ticket.extra or {}
        silent = bool(extra.get("no_calls"))  # "别打电话 他会听见"
        if silent:
            lines.append(self._t("staff.alert.no_calls"))
        if extra.get("call_for_me"):  # "帮我打119 我不敢打电话": the line cannot, staff can
            lines.append(self._t("staff.alert.call_for_me", number=str(extra["call_for_me"])))
        incomplete = self.is_incomplete(ticket)
        missing = self.missing(ticket) if incomplete else []
        # all that was missing told since ("13812345678"): no line
        if incomplete and (missing or not extra.get("missing")):
            # "unanswered": the resident wrote about the danger, not the address (engine)
            key = "incomplete_talking" if extra.get("reason") == "unanswered" else "incomplete"
            contact = self._t("staff.alert.contact_no_calls" if silent else "staff.alert.contact")
            lines.append(
                self._t(
                    f"staff.alert.{key}",
                    missing=self._t("staff.alert.separator").join(missing),
                    contact=contact,
                )
                if missing
                else self._t("staff.alert.incomplete_nothing_missing")
            )
        situation = extra.get("situation")
        if situation and self._t.has(f"safety.{situation}.name"):
            lines.append(
                self._t("staff.alert.situation", situation=self._t(f"safety.{situation}.name"))
            )
        if extra.get("unconfirmed"):
            key = "unconfirmed_no_calls" if silent else "unconfirmed"
            lines.append(self._t(f"staff.alert.{key}"))
        estates = self.tickets.estates
        if estates.several:  # which estate (the company group sees them all)
            estate = estates.get(ticket.estate_id)
            lines.append(
                self._t("staff.alert.estate", estate=estate.name)
                if estate is not None
                else self._t("staff.alert.estate_unknown")
            )
        lines.append(self._t("staff.alert.place", place=self.fmt.place_or_unknown(ticket)))
        if extra.get("place_offered"):
            lines.append(self._t("staff.alert.place_offered"))
        if extra.get("floor"):
            lines.append(self._t("staff.alert.floor", floor=extra["floor"]))
        location = extra.get("location")
        if isinstance(location, dict) and location.get("latitude") is not None:
            lines.append(
                self._t(
                    "staff.alert.location",
                    latitude=location["latitude"],
                    longitude=location.get("longitude"),
                )
            )
        lines.append(self._t("staff.alert.phone", phone=self.phone(ticket)))
        if ticket.description.strip():
            lines.append(self._t("staff.alert.words", words=shorten(ticket.description.strip())))
        also = [str(i) for i in extra.get("also") or [] if i != ticket.intent]
        if also:
            names = self._t("staff.alert.separator").join(
                self.fmt.intent(i) for i in dict.fromkeys(also)
            )
            lines.append(self._t("staff.alert.also", intents=names))
        if extra.get("photos"):
            lines.append(self._t("staff.alert.photos", count=len(extra["photos"])))
        if extra.get("documents"):
            lines.append(self._t("staff.alert.documents", count=len(extra["documents"])))
        lines.append(
            self._t(
                "staff.alert.who_when",
                name=ticket.user_name or "-",
                time=self.fmt.short(ticket.created_at),
            )
        )
        return "\n".join(lines)

    def history(self, ticket: Ticket, events: Sequence[TicketEvent]) -> list[str]:
        lines = []
        for event in events:
            if event.kind not in HISTORY_EVENTS:
                continue
            key = f"staff.alert.history.{event.kind}"
            reason = (event.data or {}).get("reason")
            if reason and self._t.has(f"{key}_{reason}"):
                key = f"{key}_{reason}"
            lines.append(
                self._t(
                    key,
                    name=event.actor_name or "-",
                    time=self.fmt.clock(event.at),
                    value=(event.data or {}).get("value", ""),
                    text=event.text or "",
                )
            )
        if ticket.status in states.WAITING:
            lines.append(self._t("staff.alert.waiting"))
            if ticket.escalation_level:
                lines.append(self._t(f"staff.alert.escalated_{min(ticket.escalation_level, 2)}"))
        return lines

    # -- where --------------------------------------------------------------------------------
    def chats(self, ticket: Ticket) -> list[str]:
        """The groups showing this ticket: its team's; the main group for an emergency, a
        ticket without a team, or one the team left unclaimed past its deadline."""
        main = self.tickets.main_chat(ticket)
        team = self.tickets.teams_for(ticket.estate_id).get(ticket.team)
        if team is None or team.chat_id == main:
            return [main]
        if ticket.severity == "emergency" or (ticket.extra or {}).get("in_main"):
            return [team.chat_id, main]
        return [team.chat_id]

    async def show_in_main(self, ticket: Ticket) -> Ticket:
        """A team left it unclaimed past its deadline: the main group gets the alert too."""
        main = self.tickets.main_chat(ticket)
        if main in self.chats(ticket):
            return ticket
        extra = {**(ticket.extra or {}), "in_main": True}
        if not await self.tickets.set_values(ticket.id, extra=extra):
            return ticket
        fresh = await self.tickets.get(ticket.id) or ticket
        team = self.tickets.teams_for(ticket.estate_id).get(ticket.team)
        await self.outbox.send(
            SendText(main, await self.render(fresh), self.buttons(fresh), ref=alert_ref(ticket.id))
        )
        await self.outbox.send(
            SendText(
                main,
                self._t(
                    "desk.team.unclaimed_to_main", id=ticket.id, team=team.name if team else "-"
                ),
                reply_to=alert_ref(ticket.id),
                ref=f"ticket:{ticket.id}:note",
            )
        )
        return fresh

    def buttons(self, ticket: Ticket) -> Keyboard | None:
        row: list[tuple[str, str]] = []
        if ticket.status in states.CLAIM_FROM:
            row.append((self._t("staff.button.claim"), tk.button_data(tk.CLAIM, ticket.id)))
        if ticket.status in states.ONSITE_FROM:
            row.append((self._t("staff.button.onsite"), tk.button_data(tk.ONSITE, ticket.id)))
        if ticket.status in states.RESOLVE_FROM:
            row.append((self._t("staff.button.resolve"), tk.button_data(tk.RESOLVE, ticket.id)))
        second: list[tuple[str, str]] = []
        if ticket.status in (states.CLAIMED, states.ON_SITE):
            second.append((self._t("desk.button.unclaim"), tk.button_data(tk.UNCLAIM, ticket.id)))
        if ticket.status in states.RESOLVE_FROM:
            second.append((self._t("desk.button.note"), tk.button_data(tk.NOTE, ticket.id)))
            second.append((self._t("desk.button.close"), tk.button_data(tk.CLOSE, ticket.id)))
        rows = [r for r in (row, second) if r]
        return keyboard(*rows) if rows else None

    def desk_lines(self, ticket: Ticket) -> list[str]:
        """The team, the deadline (⏰ once passed), a paid repair's state."""
        lines = []
        team = self.tickets.teams_for(ticket.estate_id).get(ticket.team)
        if team is not None:
            lines.append(self._t("desk.alert.team", team=team.name))
        if ticket.due_at is not None and ticket.status in states.RESOLVE_FROM:
            key = "desk.alert.overdue" if ticket.due_at <= self.clock.now() else "desk.alert.due"
            lines.append(self._t(key, due=self.fmt.short(ticket.due_at)))
        quote = (ticket.extra or {}).get("quote")
        if isinstance(quote, dict):
            lines.append(
                self._t(
                    f"desk.alert.quote_{quote.get('state', 'pending')}",
                    amount=quote.get("amount", ""),
                )
            )
        return lines

    async def render(self, ticket: Ticket) -> str:
        events = await self.tickets.events(ticket.id)
        parts = [self.card(ticket), *self.desk_lines(ticket), *self.history(ticket, events)]
        if ticket.status not in (states.CLOSED, states.CANCELLED):
            parts.append(self._t("staff.alert.reply_hint"))
        return "\n".join(parts)

    # -- sending --------------------------------------------------------------------------
    async def post(self, ticket: Ticket) -> None:
        """The alert, then the resident's photos as replies to it (in each of its groups)."""
        text = await self.render(ticket)
        for chat in self.chats(ticket):
            await self.outbox.send(
                SendText(chat, text, self.buttons(ticket), ref=alert_ref(ticket.id))
            )
            await self._photos(ticket, chat)

    async def _photos(self, ticket: Ticket, chat: str) -> None:
        for file_id in (ticket.extra or {}).get("photos") or []:
            await self.outbox.send(
                SendPhoto(
                    chat,
                    photo=str(file_id),
                    caption=self._t("staff.relay.photo_at_open", id=ticket.id),
                    reply_to=alert_ref(ticket.id),
                    ref=f"ticket:{ticket.id}:photo",
                )
            )

    async def refresh(self, ticket: Ticket) -> None:
        """Edit the alert in place to show the ticket as it is now."""
        text = await self.render(ticket)
        for chat in self.chats(ticket):
            await self.outbox.send(EditText(chat, alert_ref(ticket.id), text, self.buttons(ticket)))

    async def note(
        self, ticket: Ticket, key: str, /, *, with_buttons: bool = False, **values: object
    ) -> None:
        """A short message in the group, as a reply to the alert (so it is one tap away)."""
        text = self._t(key, id=ticket.id, summary=Raw(self.summary(ticket)), **values)
        for chat in self.chats(ticket):
            await self.outbox.send(
                SendText(
                    chat,
                    text,
                    self.buttons(ticket) if with_buttons else None,
                    reply_to=alert_ref(ticket.id),
                    ref=f"ticket:{ticket.id}:note",
                )
            )
