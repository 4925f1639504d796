"""Notice texts as residents read them (the manager's preview is the same text).

Times are shown in the estate's time zone as absolute dates ("12月3日（周四）09:00"), which
stay true however late a resident reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.notices.buildings import group_ranges
from bot.notices.printable import Printout, plain
from bot.texts import LocaleTexts, Raw, Texts

if TYPE_CHECKING:
    from bot.storage.models import Notice

KINDS = ("water", "power", "other")
INTENT_KIND = {"water_outage": "water", "power_outage": "power"}
KIND_INTENT = {kind: intent for intent, kind in INTENT_KIND.items()}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a notice says, whether it is stored yet or still a manager's draft."""

    kind: str
    buildings: list[str]  # [] = every building
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str
    advice: str
    unplanned: bool = False  # a burst pipe, a fault: already off, being repaired

    @classmethod
    def of(cls, notice: Notice) -> NoticeFacts:
        return cls(
            notice.kind,
            list(notice.buildings or []),
            notice.starts_at,
            notice.ends_at,
            notice.reason,
            notice.advice,
            bool((notice.extra or {}).get("unplanned")),
        )


_UNPLANNED_WORDS = ("爆", "抢修", "突发", "故障", "意外", "漏水", "burst", "fault", "emergency")


def sounds_unplanned(reason: str | None) -> bool:
    """A reason that says the outage was not planned ("水管爆裂", "突发故障", "抢修")."""
    folded = (reason or "").casefold()
    return any(word in folded for word in _UNPLANNED_WORDS)


class NoticeRenderer:
    def __init__(self, texts: Texts, timezone: str) -> None:
        self.texts = texts
        self.tz = ZoneInfo(timezone)

    def t(self, locale: str) -> LocaleTexts:
        """The notice texts in `locale`."""
        return self.texts.bind(locale, "notices")

    # -- pieces ---------------------------------------------------------------------------
    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def date(self, when: datetime, locale: str) -> str:
        return self.t(locale)("date", day=self.local(when))

    def time(self, when: datetime, locale: str) -> str:
        return self.t(locale)("time", at=self.local(when))

    def when(self, when: datetime, locale: str) -> str:
        date, time = Raw(self.date(when, locale)), Raw(self.time(when, locale))
        return self.t(locale)("datetime", date=date, time=time)

    def end(self, start: datetime | None, end: datetime | None, locale: str) -> str:
        """The expected end: only the time when it is the start's day."""
        if end is None:
            return self.t(locale)("end_unknown")
        if start is not None and self.local(start).date() == self.local(end).date():
            return self.time(end, locale)
        return self.when(end, locale)

    def period(self, start: datetime | None, end: datetime | None, locale: str) -> str:
        if start is None:
            return self.end(None, end, locale)
        begin = Raw(self.when(start, locale))
        if end is None:
            return self.t(locale)("period_open", start=begin)
        return self.t(locale)("period", start=begin, end=Raw(self.end(start, end, locale)))

    def buildings(self, buildings: list[str], locale: str) -> str:
        if not buildings:
            return self.t(locale)("buildings_all")
        parts = []
        for lo, hi in group_ranges(buildings):
            if hi is not None:
                parts.append(self.t(locale)("building_range", lo=lo, hi=hi))
            elif "-" in lo:
                b, u = lo.split("-", 1)
                parts.append(self.t(locale)("building_unit", b=b, u=u))
            else:
                parts.append(self.t(locale)("building_item", b=lo))
        return self.t(locale)("building_join").join(parts)

    def kind(self, kind: str, locale: str) -> str:
        return self.t(locale)(f"kind.{kind}")

    def default_advice(self, kind: str, locale: str, *, started: bool = False) -> str:
        """What residents should do: before a planned outage (store water), or once it is
        already off (never "store water" then)."""
        return self.t(locale)(f"advice_started.{kind}" if started else f"advice_default.{kind}")

    def _values(self, facts: NoticeFacts, locale: str) -> dict[str, object]:
        title = "title_unplanned" if facts.unplanned else "title"
        reason = "reason_unplanned" if facts.unplanned else "reason_default"
        return {
            "title": self.t(locale)(f"{title}.{facts.kind}"),
            "kind": self.kind(facts.kind, locale),
            "restored_what": self.t(locale)(f"restored_what.{facts.kind}"),
            "buildings": self.buildings(facts.buildings, locale),
            "period": Raw(self.period(facts.starts_at, facts.ends_at, locale)),
            "start": Raw(self.when(facts.starts_at, locale)) if facts.starts_at else "",
            "end": Raw(self.end(facts.starts_at, facts.ends_at, locale)),
            "reason": facts.reason or self.t(locale)(reason),
            "advice": facts.advice
            or self.default_advice(facts.kind, locale, started=facts.unplanned),
        }

    # -- whole messages ----------------------------------------------------------------
    def message(self, facts: NoticeFacts, purpose: str, locale: str) -> str:
        """The broadcast text: purpose is notice, reminder, restored or cancelled."""
        if purpose == "notice" and facts.unplanned:
            purpose = "notice_unplanned"
        return self.t(locale)(purpose, **self._values(facts, locale))

    def answer(self, facts: NoticeFacts, locale: str, *, started: bool) -> str:
        """To a resident who reports the outage the notice covers."""
        key = "answer_planned"
        if started:
            key = "answer_unplanned" if facts.unplanned else "answer"
        return self.t(locale)(key, **self._values(facts, locale))

    def printout(
        self, facts: NoticeFacts, locale: str, *, estate: str, phone: str | None, today: datetime
    ) -> Printout:
        """The lobby-board page: the same facts as the message, as plain text."""
        values = self._values(facts, locale)
        local = self.local(today)

        def p(key: str, **extra: object) -> str:
            return plain(self.t(locale)(f"print.{key}", **extra))

        lines = [
            p("buildings", buildings=values["buildings"]),
            p("period", period=values["period"]),
        ]
        if facts.unplanned and facts.ends_at is not None:
            lines.append(p("end", end=values["end"]))
        lines += [p("reason", reason=values["reason"]), plain(str(values["advice"])), p("thanks")]
        return Printout(
            estate=estate,
            title=plain(str(values["title"])),
            greeting=p("greeting"),
            lines=lines,
            contact=p("contact", phone=phone) if phone else p("contact_none"),
            signature=p("signature", estate=estate) if estate else p("signature_none"),
            date=p("date", year=str(local.year), month=str(local.month), day=str(local.day)),
        )
