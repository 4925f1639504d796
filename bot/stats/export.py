"""/export: the request log as CSV that Excel opens with Chinese intact (UTF-8 with BOM).

One row per ticket created in the date range (estate time zone, both ends included): its
key fields, times, durations, rating, follow-up answer, how many timeline events it has,
the notice it belongs to and its estate. Cells a spreadsheet would read as a formula ("=", "+", "-",
"@" first) are prefixed with "'": a resident's words never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.notices.timephrases import scan_date
from bot.storage.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.estates import Estates
    from bot.storage.db import Database
    from bot.texts import Texts

DEFAULT_DAYS = 30
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse_range(args: str, today: date) -> tuple[date, date] | None:
    """ "" -> the last 30 days; one date -> that day; two dates -> from, to (either order)."""
    args = args.strip()
    if not args:
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    found: list[date] = []
    pos = 0
    while pos < len(args) and len(found) < 2:
        hit = scan_date(args, today, pos=pos, past=True)
        if hit is None:
            return None
        found.append(hit[0])
        pos = hit[1]
        while pos < len(args) and args[pos] in " \t,，~-至到":
            pos += 1
    if pos < len(args) or not found:
        return None
    start, end = min(found), max(found)
    return start, end


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class RequestLog:
    def __init__(
        self, *, settings: Settings, db: Database, texts: Texts, estates: Estates | None = None
    ) -> None:
        self.estates = estates
        self.settings = settings
        self.db = db
        self.texts = texts.bind(settings.manager_language)
        self.tz = ZoneInfo(settings.timezone)

    def _local(self, when: datetime | None) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if when else ""

    @staticmethod
    def _minutes(start: datetime | None, end: datetime | None) -> str:
        if start is None or end is None:
            return ""
        return f"{(end - start).total_seconds() / 60:.0f}"

    def _label(self, key: str, value: str | None) -> str:
        if not value:
            return ""
        return self.texts.get(f"{key}.{value}", value) or value

    def _reason(self, reason: str | None, merged_into: int | None) -> str:
        if not reason:
            return ""
        label = self._label("desk.close.reason", reason)
        return f"{label} #{merged_into}" if merged_into else label

    def _team(self, estate_id: int | None, key: str | None) -> str:
        """The team's name (its key when the teams file no longer has it)."""
        if not key:
            return ""
        estate = self.estates.get(estate_id) if self.estates is not None else None
        team = estate.teams.get(key) if estate is not None else None
        return team.name if team is not None else key

    def _estate(self, estate_id: int | None) -> str:
        estate = self.estates.get(estate_id) if self.estates is not None else None
        return estate.name if estate is not None else ""

    async def tickets(
        self, start: date, end: date, scope: Collection[int] | None = None
    ) -> tuple[Sequence[Ticket], dict[int, int]]:
        """The tickets created in the range (of the estates in `scope`; None: all)."""
        only = [] if scope is None else [Ticket.estate_id.in_(list(scope))]
        since = datetime.combine(start, time(), tzinfo=self.tz)
        until = datetime.combine(end + timedelta(days=1), time(), tzinfo=self.tz)
        async with self.db.session() as session:
            tickets = (
                await session.scalars(
                    select(Ticket)
                    .where(Ticket.created_at >= since, Ticket.created_at < until, *only)
                    .order_by(Ticket.id)
                )
            ).all()
            events = dict(
                (
                    await session.execute(
                        select(TicketEvent.ticket_id, func.count())
                        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                        .where(Ticket.created_at >= since, Ticket.created_at < until, *only)
                        .group_by(TicketEvent.ticket_id)
                    )
                ).all()
            )
        return tickets, {int(k): int(v) for k, v in events.items()}

    async def csv_bytes(
        self, start: date, end: date, scope: Collection[int] | None = None
    ) -> tuple[bytes, int]:
        """(the CSV file, how many tickets it lists): the estates in `scope` (None: all)."""
        tickets, events = await self.tickets(start, end, scope)
        yes, no = self.texts("manager.export_yes"), self.texts("manager.export_no")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.texts.raw("manager.export_columns"))
        for tk in tickets:
            writer.writerow(
                safe_cell(value)
                for value in (
                    tk.id,
                    self._local(tk.created_at),
                    self._label("tickets.intent", tk.intent),
                    self._label("manager.severity", tk.severity),
                    tk.building,
                    tk.room,
                    tk.phone,
                    tk.user_name,
                    tk.description,
                    self._label("staff.state", tk.status),
                    tk.claimed_by_name or tk.claimed_by,
                    self._local(tk.claimed_at),
                    self._local(tk.on_site_at),
                    self._local(tk.resolved_at),
                    self._local(tk.closed_at),
                    self._minutes(tk.created_at, tk.claimed_at),
                    self._minutes(tk.created_at, tk.resolved_at),
                    tk.rating,
                    "" if tk.fixed is None else (yes if tk.fixed else no),
                    tk.followup_answer,
                    events.get(tk.id, 0),
                    tk.notice_id,
                    self._team(tk.estate_id, tk.team),
                    self._local(tk.due_at),
                    self._reason(tk.close_reason, tk.merged_into),
                    self._estate(tk.estate_id),
                )
            )
        return (BOM + out.getvalue()).encode("utf-8"), len(tickets)
