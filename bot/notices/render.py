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

    @classmethod
    def of(cls, notice: Notice) -> NoticeFacts:
        return cls(
            notice.kind,
            list(notice.buildings or []),
            notice.starts_at,
            notice.ends_at,
            notice.reason,
            notice.advice,
        )


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

    def default_advice(self, kind: str, locale: str) -> str:
        return self.t(locale)(f"advice_default.{kind}")

    def _values(self, facts: NoticeFacts, locale: str) -> dict[str, object]:
        return {
            "title": self.t(locale)(f"title.{facts.kind}"),
            "kind": self.kind(facts.kind, locale),
            "restored_what": self.t(locale)(f"restored_what.{facts.kind}"),
            "buildings": self.buildings(facts.buildings, locale),
            "period": Raw(self.period(facts.starts_at, facts.ends_at, locale)),
            "start": Raw(self.when(facts.starts_at, locale)) if facts.starts_at else "",
            "end": Raw(self.end(facts.starts_at, facts.ends_at, locale)),
            "reason": facts.reason or self.t(locale)("reason_default"),
            "advice": facts.advice or self.default_advice(facts.kind, locale),
        }

    # -- whole messages ----------------------------------------------------------------
    def message(self, facts: NoticeFacts, purpose: str, locale: str) -> str:
        """The broadcast text: purpose is notice, reminder, restored or cancelled."""
        return self.t(locale)(purpose, **self._values(facts, locale))

    def answer(self, facts: NoticeFacts, locale: str, *, started: bool) -> str:
        """To a resident who reports the outage the notice covers."""
        key = "answer" if started else "answer_planned"
        return self.t(locale)(key, **self._values(facts, locale))
