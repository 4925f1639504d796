"""Reading tickets back: one event as a line, a ticket's timeline (/ticket N), the open list (/open)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.storage.models import Ticket, TicketEvent
from bot.texts import Raw
from bot.tickets.part import TicketPart

MAX_CHARS = 3800  # a Telegram message holds 4096
MAX_OPEN_LINES = 40


class Timeline(TicketPart):
    # -- one event ------------------------------------------------------------------------
    def who(self, event: TicketEvent) -> str:
        if event.actor_kind == "staff":
            return event.actor_name or self._t("staff.who.staff")
        if event.actor_kind == "resident":
            return self._t("staff.who.resident")
        return self._t("staff.who.system")

    def what(self, event: TicketEvent) -> str:
        data = event.data or {}
        key = f"staff.event.{event.kind}"
        variant = data.get("reason") or ("attachment" if data.get("attachment") else None)
        if variant and self.texts.has(f"{key}_{variant}"):
            key = f"{key}_{variant}"
        if not self.texts.has(key):
            return self._t("staff.event.other", kind=event.kind, text=event.text or "")
        at = data.get("at")
        kind = data.get("attachment")
        rung = data.get("rung")
        return self._t(
            key,
            text=event.text or "",
            value=data.get("value", ""),
            n=data.get("n", ""),
            at=self.tickets.fmt.short(datetime.fromisoformat(at)) if isinstance(at, str) else "",
            kind=self._t(f"staff.attachment.{kind}") if kind else "",
            rung=self._t(f"staff.rung.{rung}") if rung in (1, 2) else "",
            count=len(data.get("to") or []),
        )

    def line(self, event: TicketEvent) -> str:
        return self._t(
            "staff.timeline.line",
            time=self.tickets.fmt.short(event.at),
            who=self.who(event),
            what=Raw(self.what(event)),
        )

    # -- /ticket N ------------------------------------------------------------------------
    async def render(self, ticket: Ticket) -> str:
        events = await self.tickets.events(ticket.id)
        head = "\n".join(
            [
                self.tickets.alerts.card(ticket),
                self._t(
                    "staff.timeline.state", state=self.tickets.alerts.state_name(ticket.status)
                ),
                self._t("staff.timeline.head"),
            ]
        )
        lines = fit(
            head,
            [self.line(e) for e in events],
            lambda n: self._t("staff.timeline.omitted", count=n),
        )
        return head + "\n" + lines

    # -- /open ----------------------------------------------------------------------------
    async def open_list(self) -> str:
        active = await self.tickets.active_tickets()
        if not active:
            return self._t("staff.open.empty")
        now = self.clock.now()
        lines = [self._t("staff.open.head", count=len(active))]
        for ticket in active[:MAX_OPEN_LINES]:
            state = self.tickets.alerts.state_name(ticket.status)
            if ticket.claimed_by_name and ticket.status not in ("open", "reopened"):
                state = self._t("staff.open.state_by", state=state, name=ticket.claimed_by_name)
            lines.append(
                self._t(
                    "staff.open.line",
                    mark=self.tickets.alerts.mark(ticket),
                    id=ticket.id,
                    intent=self.tickets.fmt.intent(ticket.intent),
                    place=self.tickets.fmt.place_or_unknown(ticket),
                    state=state,
                    age=self.tickets.fmt.age(_seconds(now, ticket.created_at)),
                )
            )
        if len(active) > MAX_OPEN_LINES:
            lines.append(self._t("staff.open.more", count=len(active) - MAX_OPEN_LINES))
        return "\n".join(lines)


def _seconds(now: datetime, then: datetime) -> float:
    return (now - then).total_seconds()


def fit(
    head: str, lines: Sequence[str], omitted: Callable[[int], str], limit: int = MAX_CHARS
) -> str:
    """The newest lines that fit in one message; the older ones are counted, not shown."""
    kept: list[str] = []
    budget = limit - len(head) - 80
    for line in reversed(lines):
        if budget - len(line) - 1 < 0:
            break
        kept.append(line)
        budget -= len(line) + 1
    kept.reverse()
    dropped = len(lines) - len(kept)
    if dropped:
        kept.insert(0, omitted(dropped))
    return "\n".join(kept)
