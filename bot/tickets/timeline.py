"""Reading tickets back: one event as a line, a ticket's timeline (/ticket N), the open list (/open)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

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
        if variant and self._t.has(f"{key}_{variant}"):
            key = f"{key}_{variant}"
        if not self._t.has(key):
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
    async def open_list(
        self, args: str = "", *, chat_id: str | None = None, user_id: str | None = None
    ) -> str:
        """Emergencies first, then by deadline; a team group sees its team's tickets.
        Filters (`/open mine`, `/open 紧急`, `/open 3栋`, `/open 超时`) narrow it down."""
        active = self.tickets.seen_in(chat_id, await self.tickets.active_tickets())
        now = self.clock.now()
        filters = OpenFilter.parse(args)
        active = [t for t in active if filters.keeps(t, now, user_id)]
        active.sort(key=lambda t: open_order(t))
        if not active:
            return self._t("staff.open.empty") if filters.empty else self._t("desk.open.none")
        head = "staff.open.head" if filters.empty else "desk.open.head_filtered"
        lines = [self._t(head, count=len(active))]
        for ticket in active[:MAX_OPEN_LINES]:
            state = self.tickets.alerts.state_name(ticket.status)
            if ticket.claimed_by_name and ticket.status not in ("open", "reopened"):
                state = self._t("staff.open.state_by", state=state, name=ticket.claimed_by_name)
            line = self._t(
                "staff.open.line",
                mark=self.tickets.alerts.mark(ticket),
                id=ticket.id,
                intent=self.tickets.fmt.intent(ticket.intent),
                place=self.tickets.fmt.place_or_unknown(ticket),
                state=state,
                age=self.tickets.fmt.age(_seconds(now, ticket.created_at)),
            )
            if ticket.due_at is not None and ticket.due_at <= now:
                line += self._t("desk.open.overdue", due=self.tickets.fmt.short(ticket.due_at))
            lines.append(line)
        if len(active) > MAX_OPEN_LINES:
            lines.append(self._t("staff.open.more", count=len(active) - MAX_OPEN_LINES))
        return "\n".join(lines)


MINE = frozenset({"mine", "me", "我的", "我"})
URGENT = frozenset({"紧急", "急", "emergency", "urgent"})
OVERDUE = frozenset({"超时", "overdue", "逾期", "⏰"})
UNCLAIMED = frozenset({"待接单", "unclaimed", "无人接单"})
_BUILDING = re.compile(r"^([0-9A-Za-z]+)\s*(?:栋|号楼|幢|座)?$")


@dataclass(frozen=True, slots=True)
class OpenFilter:
    mine: bool = False
    urgent: bool = False
    overdue: bool = False
    unclaimed: bool = False
    building: str | None = None

    @property
    def empty(self) -> bool:
        return self == OpenFilter()

    @classmethod
    def parse(cls, args: str) -> OpenFilter:
        values: dict[str, object] = {}
        for word in args.replace("，", " ").replace(",", " ").split():
            lowered = word.lower()
            if lowered in MINE:
                values["mine"] = True
            elif lowered in URGENT:
                values["urgent"] = True
            elif lowered in OVERDUE:
                values["overdue"] = True
            elif lowered in UNCLAIMED:
                values["unclaimed"] = True
            elif match := _BUILDING.match(word):
                values["building"] = match.group(1)
        return cls(**values)  # type: ignore[arg-type]

    def keeps(self, ticket: Ticket, now: datetime, user_id: str | None) -> bool:
        if self.mine and (user_id is None or ticket.claimed_by != user_id):
            return False
        if self.urgent and ticket.severity != "emergency":
            return False
        if self.overdue and (ticket.due_at is None or ticket.due_at > now):
            return False
        if self.unclaimed and ticket.status not in ("open", "reopened"):
            return False
        if self.building is not None:
            building = (ticket.building or "").removesuffix("栋").removesuffix("号楼")
            if building != self.building:
                return False
        return True


def open_order(ticket: Ticket) -> tuple[int, datetime, datetime, int]:
    """Emergencies first, then the nearest deadline, then the oldest."""
    far = datetime.max.replace(tzinfo=UTC)
    return (
        0 if ticket.severity == "emergency" else 1,
        ticket.due_at or far,
        ticket.created_at,
        ticket.id,
    )


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
