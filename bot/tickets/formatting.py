"""How ticket facts read to people: local times, ages, places, intent names (from locales)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.intents.entities import parse_building
from bot.storage.models import Ticket

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.texts import LocaleTexts, Texts


class Formatter:
    def __init__(self, *, settings: Settings, clock: Clock, texts: Texts) -> None:
        self.settings = settings
        self._clock = clock
        self.texts = texts

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def staff_locale(self) -> str:
        return self.settings.locale

    def bind(self, locale: str | None = None) -> LocaleTexts:
        """The `tickets` texts in `locale` (the staff's when None)."""
        return self.texts.bind(locale or self.staff_locale, "tickets")

    # -- time ------------------------------------------------------------------------------
    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def short(self, when: datetime | None) -> str:
        """ "11-21 18:03" in the estate's time zone."""
        return self.local(when).strftime("%m-%d %H:%M") if when else "-"

    def full(self, when: datetime | None) -> str:
        return self.local(when).strftime("%Y-%m-%d %H:%M") if when else "-"

    def clock(self, when: datetime | None) -> str:
        return self.local(when).strftime("%H:%M") if when else "-"

    def date(self, when: datetime | None) -> str:
        return self.local(when).strftime("%Y-%m-%d") if when else "-"

    def age(self, seconds: float, locale: str | None = None) -> str:
        """ "5分钟", "2小时5分钟", "3天2小时"."""
        minutes = max(0, int(seconds // 60))
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        t = self.bind(locale).section("tickets.age")
        if days:
            return t("days", days=days, hours=hours)
        if hours:
            return t("hours", hours=hours, minutes=mins)
        return t("minutes", minutes=mins)

    def age_since(self, when: datetime, locale: str | None = None) -> str:
        return self.age((self._clock.now() - when).total_seconds(), locale)

    # -- what and where ------------------------------------------------------------------
    def intent(self, intent: str, locale: str | None = None) -> str:
        return self.bind(locale).get(f"intent.{intent}", intent) or intent

    def place(self, ticket: Ticket, locale: str | None = None) -> str | None:
        """ "3栋2单元 1202室", then the resident's words for the place ("5栋 电梯里"), or None."""
        t = self.bind(locale)
        parts = []
        if ticket.building:
            building, _, unit = ticket.building.partition("-")
            if not building.isascii():  # "2单元" and the like: already reads well
                parts.append(ticket.building)
            elif unit:
                parts.append(t("place.building_unit", building=building, unit=unit))
            else:
                parts.append(t("place.building", building=building))
        if ticket.room:
            parts.append(t("place.room", room=ticket.room))
        words = str((ticket.extra or {}).get("place") or "").strip()
        if words and not ticket.room and parse_building(words) == ticket.building:
            return words  # "7栋2单元楼道": the words name the block already
        if words and words not in parts:  # the resident's own words: "地下车库B2", "电梯里"
            parts.append(words)
        return " ".join(parts) or None

    def place_or_unknown(self, ticket: Ticket, locale: str | None = None) -> str:
        return self.place(ticket, locale) or self.bind(locale)("place.unknown")

    def resident_texts(self, ticket: Ticket) -> LocaleTexts:
        """The texts in the language the ticket's resident uses."""
        return self.texts.bind(self.resident_locale(ticket))

    def resident_locale(self, ticket: Ticket) -> str:
        locale = (ticket.extra or {}).get("locale")
        return (
            locale
            if isinstance(locale, str) and locale in self.texts.locales
            else self.texts.default
        )
